"""``make comment``: the saved review as one pull-request comment per stack, within GitHub's size limit."""

from __future__ import annotations

import pytest

from ops.cli import main
from ops.comment import COMMENT_LIMIT, comment_text
from ops.review import review_plan
from platform_core.errors import EXIT_REFUSED
from tests.ops.test_cli import assert_one_clear_error, run_ops
from tests.ops.test_review import PLAN, change

GITHUB_LIMIT = 65_536
"""Characters GitHub takes in one comment."""


@pytest.fixture
def plans(tmp_path, monkeypatch):
    monkeypatch.setenv("PLATFORM_WORK_DIR", str(tmp_path))
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    return tmp_path / "plans"


def saved_review(plans, plan: dict, stack: str = "dev"):
    review = review_plan(plan, stack)
    review.write(plans)
    return review


def test_the_comment_is_marked_headed_by_the_summary_and_holds_the_review(plans):
    review = saved_review(plans, PLAN)
    assert main(["comment", "dev"]) == 0
    text = (plans / "dev.comment.md").read_text()
    lines = text.splitlines()
    assert lines[0] == "<!-- platform-plan:dev -->"
    assert lines[1] == f"## {review.summary_line()}"
    assert "DESTRUCTIVE" in lines[1]
    assert "Plan review: dev" not in text, "the heading above says it"
    assert "\n### Replaced and deleted (destructive)\n" in text and "\n#### replace (1)\n" in text, "its headings one level down"
    assert "- **REPLACE** `aws_subnet.a` (replacement forced by: cidr_block)" in text
    assert "cut" not in text


def test_a_long_review_is_cut_under_the_limit_naming_the_artifact(plans):
    many = {"resource_changes": [change(f"aws_s3_object.o{i:05d}", ["create"], None, {"key": "k" * 40, "bucket": "b → c"}) for i in range(3000)]}
    saved_review(plans, many)
    assert len((plans / "dev.md").read_text()) > GITHUB_LIMIT, "the review itself is too long for a comment"
    assert main(["comment", "dev"]) == 0
    text = (plans / "dev.comment.md").read_text()
    assert len(text.encode()) <= COMMENT_LIMIT < GITHUB_LIMIT
    assert text.startswith("<!-- platform-plan:dev -->\n## dev: 3000 to create")
    last = text.rstrip().splitlines()[-1]
    assert last.startswith("**The review was cut here**")
    assert "plans/dev.md in the artifact `plan-dev` of this run" in last
    assert text.count("aws_s3_object.o") > 100, "as much of the review as fits is kept"


def test_cutting_keeps_whole_lines():
    review = "# Plan review: dev\n\n" + "".join(f"- line {i} {'x' * 50}\n" for i in range(100))
    text = comment_text("dev", review, {"counts": dict.fromkeys(("create", "update", "replace", "delete"), 0), "destructive": False}, limit=1000)
    assert len(text.encode()) <= 1000
    kept = [line for line in text.splitlines() if line.startswith("- line")]
    assert kept and all(line.endswith("x" * 50) for line in kept)


def test_the_comment_is_appended_to_the_job_summary(plans, tmp_path, monkeypatch):
    saved_review(plans, PLAN)
    summary = tmp_path / "step-summary.md"
    summary.write_text("earlier step\n")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    assert main(["comment", "dev"]) == 0
    assert summary.read_text() == "earlier step\n" + (plans / "dev.comment.md").read_text() + "\n"


@pytest.mark.parametrize(("stack", "command"), [("dev", "make plan ENV=dev"), ("baseline-default", "make plan ACCOUNT=default")])
def test_without_a_saved_review_the_comment_is_refused_naming_make_plan(tmp_path, stack, command):
    summary = tmp_path / "step-summary.md"
    result, _ = run_ops("comment", stack, work=tmp_path, GITHUB_STEP_SUMMARY=str(summary))
    assert_one_clear_error(result, EXIT_REFUSED, f"there is no saved review of {stack} to comment on")
    assert f"run: {command}" in result.stderr
    assert not (tmp_path / "plans").exists() and not summary.exists(), "nothing written"


def test_an_unknown_stack_is_refused(tmp_path):
    result, _ = run_ops("comment", "qa", work=tmp_path)
    assert_one_clear_error(result, EXIT_REFUSED, "no environment called 'qa'")
