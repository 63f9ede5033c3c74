"""``make comment``: the saved plan review as a pull-request comment, and as a job summary.

From ``plans/<stack>.md`` and ``plans/<stack>.json`` (what ``make plan`` wrote) it writes
``plans/<stack>.comment.md``:

* a hidden marker, ``<!-- platform-plan:<stack> -->``, on the first line, so the one comment of each
  stack can be found and updated in place;
* a heading with the plan's summary line (its counts, the security-sensitive changes, destructive or not);
* the review itself, under it: its title left out, its headings one level down.

GitHub refuses a comment over 65,536 characters. The text is cut at a line so that the whole file stays
within :data:`COMMENT_LIMIT` bytes of UTF-8 (so within the limit however it counts characters), and then
ends with a line saying it was cut and naming the run's artifact (``plan-<stack>``) that holds the whole
review. When ``GITHUB_STEP_SUMMARY`` names a file (a GitHub Actions job), the same text is appended to it.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from pathlib import Path

from ops.paths import plans_dir
from ops.review import summary_line
from platform_core.errors import EXIT_REFUSED, PipelineError

COMMENT_LIMIT = 60_000
"""Bytes of UTF-8 the whole comment may take: GitHub's limit is 65,536 characters; the rest is margin."""
HEADING = re.compile(r"^(#{1,5}) ", re.MULTILINE)


def marker(stack: str) -> str:
    """The hidden first line that identifies the comment of ``stack``."""
    return f"<!-- platform-plan:{stack} -->"


def artifact_name(stack: str) -> str:
    """The name of the run's artifact that holds ``plans/<stack>.*`` (the workflows upload it under this name)."""
    return f"plan-{stack}"


def comment_text(stack: str, review_markdown: str, review_json: Mapping, *, limit: int = COMMENT_LIMIT) -> str:
    """The comment: marker, summary heading, the review; cut at a line to stay within ``limit`` bytes."""
    summary = summary_line(
        stack, review_json["counts"], len(review_json.get("security_sensitive", [])), destructive=review_json["destructive"]
    )
    head = f"{marker(stack)}\n## {summary}\n\n"
    title, _, rest = review_markdown.partition("\n")
    review_markdown = rest.lstrip("\n") if title.startswith("# ") else review_markdown  # the heading above says it
    body = HEADING.sub(r"#\1 ", review_markdown).rstrip() + "\n"
    if _size(head + body) <= limit:
        return head + body
    cut = (
        f"\n**The review was cut here**: it is {len(body):,} characters, more than a comment holds. The whole review is "
        f"plans/{stack}.md in the artifact `{artifact_name(stack)}` of this run.\n"
    )
    kept, used = [], _size(head + cut)
    for line in body.splitlines(keepends=True):
        if used + _size(line) > limit:
            break
        kept.append(line)
        used += _size(line)
    return head + "".join(kept) + cut


def write_comment(stack: str, plan_command: str, environ: Mapping[str, str] = os.environ) -> Path:
    """Write ``plans/<stack>.comment.md`` from the saved review (and append it to ``GITHUB_STEP_SUMMARY`` when set);
    refused (exit 2) when there is no saved review."""
    markdown, summary = plans_dir() / f"{stack}.md", plans_dir() / f"{stack}.json"
    if not (markdown.exists() and summary.exists()):
        raise PipelineError(
            f"there is no saved review of {stack} to comment on (plans/{stack}.md and plans/{stack}.json); "
            f"run: {plan_command}",
            exit_code=EXIT_REFUSED,
        )
    text = comment_text(stack, markdown.read_text(), json.loads(summary.read_text()))
    comment = plans_dir() / f"{stack}.comment.md"
    comment.write_text(text)
    step_summary = environ.get("GITHUB_STEP_SUMMARY")
    if step_summary:
        with open(step_summary, "a", encoding="utf-8") as appended:
            appended.write(text + "\n")
    return comment


def _size(text: str) -> int:
    return len(text.encode())
