"""Every alarm links its runbook, every runbook has an alarm, and every runbook is laid out the way it is read.

The alarms are those of every synthesized stack, environments and account baselines. A runbook's layout is
fixed (``docs/runbooks/alarms/README.md``, "How a runbook is written"): three sections; one ``- Dashboard:`` item
naming dashboard widgets in bold; every Logs Insights query a ``logs-insights`` block opening with
``# log group: <name>`` lines, the name written with ``<env>`` and ``<api-id>`` for what varies, and matched
against the log groups of each stack whose alarms link the runbook.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from constructs_lib.alarms import DESCRIPTION_LIMIT, RUNBOOK_DIRECTORY
from platform_core.cis_catalogue import CIS_CHECKS
from tests.synth import resources

RUNBOOKS = Path(__file__).resolve().parents[2] / RUNBOOK_DIRECTORY
INDEX = RUNBOOKS / "README.md"
RUNBOOK_NAMES = sorted(path.stem for path in RUNBOOKS.glob("*.md") if path != INDEX)
SECTIONS = ["What it means", "How to look", "Likely causes and fixes"]

LINK = re.compile(rf"Runbook: {re.escape(RUNBOOK_DIRECTORY)}/([a-z0-9][a-z0-9.-]*)\.md$")
QUERY = re.compile(r"^ *```logs-insights\n(.*?)^ *```$", re.MULTILINE | re.DOTALL)
LOG_GROUP = re.compile(r"# log group: (\S+)$")
BOLD = re.compile(r"\*\*([^*]+)\*\*")
WIDGET_TITLE = re.compile(r'"title" = "([^"]+)"')
API_ID = r"\$\{aws_api_gateway_rest_api\.[^.}]+\.id\}"
"""``<api-id>`` in a log group's name: the REST API's id, a token at synth."""


def text(runbook: str) -> str:
    return (RUNBOOKS / f"{runbook}.md").read_text()


def section(runbook: str, title: str) -> str:
    return text(runbook).split(f"\n## {title}\n", 1)[1].split("\n## ", 1)[0]


def queries(runbook: str) -> list[list[str]]:
    return [[line.strip() for line in block.splitlines()] for block in QUERY.findall(text(runbook))]


def alarms(all_stacks: dict[str, dict]):
    for stack_name, stack in all_stacks.items():
        for alarm in resources(stack, "aws_cloudwatch_metric_alarm").values():
            yield stack_name, alarm


@pytest.fixture(scope="module")
def linking_stacks(all_stacks) -> dict[str, set[str]]:
    """Runbook name -> the stacks with an alarm that links it."""
    found: dict[str, set[str]] = {}
    for stack_name, alarm in alarms(all_stacks):
        match = LINK.search(alarm["alarm_description"])
        if match:
            found.setdefault(match.group(1), set()).add(stack_name)
    return found


def log_group_pattern(name: str, environment: str) -> re.Pattern:
    """A runbook's log group name, ``<env>`` and ``<api-id>`` filled in, as a pattern over the stack's names."""
    pattern = re.escape(name).replace(re.escape("<env>"), re.escape(environment))
    return re.compile(pattern.replace(re.escape("<api-id>"), API_ID))


def test_every_alarm_of_every_stack_ends_its_description_with_an_existing_runbook(all_stacks):
    checked = 0
    for stack_name, alarm in alarms(all_stacks):
        description = alarm["alarm_description"]
        match = LINK.search(description)
        assert match, f"{stack_name}: {alarm['alarm_name']} links no runbook: {description!r}"
        runbook = match.group(1)
        assert (RUNBOOKS / f"{runbook}.md").is_file(), f"{alarm['alarm_name']} links {runbook}.md, which does not exist"
        assert stack_name not in runbook.split("-"), f"{alarm['alarm_name']}: its runbook {runbook} names the stack"
        assert len(description) <= DESCRIPTION_LIMIT, alarm["alarm_name"]
        checked += 1
    assert checked, "no alarm was found in any stack"


def test_every_runbook_is_linked_by_an_alarm(linking_stacks):
    assert RUNBOOK_NAMES, f"no runbook in {RUNBOOKS}"
    assert sorted(set(RUNBOOK_NAMES) - set(linking_stacks)) == [], "runbooks that no alarm links"


def test_the_index_lists_every_runbook_and_nothing_else():
    listed = re.findall(r"\]\(([^)/]+)\.md\)", INDEX.read_text())
    assert sorted(listed) == RUNBOOK_NAMES


@pytest.mark.parametrize("runbook", RUNBOOK_NAMES)
def test_the_runbook_has_the_three_sections_in_order(runbook):
    assert text(runbook).startswith("# "), "a runbook starts with its title"
    assert re.findall(r"^## (.+)$", text(runbook), re.MULTILINE) == SECTIONS


@pytest.mark.parametrize("runbook", RUNBOOK_NAMES)
def test_every_query_names_log_groups_the_stacks_create(runbook, all_stacks, linking_stacks):
    found = queries(runbook)
    assert found, "a runbook shows at least one Logs Insights query"
    for lines in found:
        names = [match.group(1) for line in lines if (match := LOG_GROUP.match(line))]
        assert names and lines[: len(names)] == [f"# log group: {name}" for name in names], (
            f"a query opens with its '# log group:' lines: {lines[0]!r}"
        )
        for stack_name in linking_stacks.get(runbook, ()):
            created = [body["name"] for body in resources(all_stacks[stack_name], "aws_cloudwatch_log_group").values()]
            for name in names:
                pattern = log_group_pattern(name, stack_name)
                assert any(pattern.fullmatch(group) for group in created), f"{stack_name} creates no log group {name}"


@pytest.mark.parametrize("runbook", RUNBOOK_NAMES)
def test_the_dashboard_line_names_widgets_the_dashboard_has(runbook, all_stacks, linking_stacks):
    items = re.findall(r"^- Dashboard:.*(?:\n  \S.*)*", section(runbook, "How to look"), re.MULTILINE)
    assert len(items) == 1, "How to look has one '- Dashboard:' item"
    titles = BOLD.findall(items[0])
    if not titles:
        assert "no widget" in items[0], "without a widget, the item says so and names the console view instead"
    for stack_name in linking_stacks.get(runbook, ()):
        (dashboard,) = resources(all_stacks[stack_name], "aws_cloudwatch_dashboard").values()
        widgets = set(WIDGET_TITLE.findall(dashboard["dashboard_body"]))
        assert set(titles) <= widgets, f"{stack_name}'s dashboard has no widget {sorted(set(titles) - widgets)}"


@pytest.mark.parametrize("check", CIS_CHECKS, ids=lambda c: c.id)
def test_a_cis_runbooks_first_query_covers_every_event_of_its_filter(check):
    first = "\n".join(queries(check.runbook)[0])
    named = re.findall(r"\$\.event(?:Name|Source) = \"?([\w.]+)\"?", check.pattern)
    assert [name for name in named if f'"{name}"' not in first] == []


def test_the_layout_checks_fail_on_a_broken_runbook(tmp_path, monkeypatch, all_stacks):
    """The checks above can fail: a query on a log group nobody creates, and a widget the dashboard lacks."""
    import tests.unit.test_alarm_runbooks as module

    broken = text("database-cpu").replace("/acme/<env>/app", "/acme/<env>/nowhere")
    broken = broken.replace("**Database CPUUtilization**", "**Database Nothing**")
    (tmp_path / "database-cpu.md").write_text(broken)
    monkeypatch.setattr(module, "RUNBOOKS", tmp_path)
    linked = {"database-cpu": {"dev"}}
    with pytest.raises(AssertionError, match="creates no log group /acme/<env>/nowhere"):
        test_every_query_names_log_groups_the_stacks_create("database-cpu", all_stacks, linked)
    with pytest.raises(AssertionError, match="Database Nothing"):
        test_the_dashboard_line_names_widgets_the_dashboard_has("database-cpu", all_stacks, linked)
