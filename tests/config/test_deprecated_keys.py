"""The API's allow-list moved from ``[network]`` to ``[api]``; the old place is still read, with a warning."""

from __future__ import annotations

from pathlib import Path

import pytest

from environments import ENVIRONMENTS_DIR, ConfigError, load_environment, load_environments

DEV = (ENVIRONMENTS_DIR / "dev.toml").read_text()
NEW_PLACE = 'allowed_ingress_cidrs = ["203.0.113.0/24"]\n'
OLD_PLACE = "[network]\n" + NEW_PLACE
assert NEW_PLACE in DEV and "[network]\n" in DEV, "dev.toml no longer has the shape these tests edit"


def write(tmp_path: Path, text: str, name: str = "dev.toml") -> Path:
    directory = tmp_path / "environments"
    directory.mkdir(exist_ok=True)
    path = directory / name
    path.write_text(text)
    return path


def deprecation(path: Path) -> str:
    return f"{path.resolve()}: network.allowed_ingress_cidrs: deprecated; move it to [api] as allowed_ingress_cidrs"


def test_the_new_place_works_silently(tmp_path, capsys):
    path = write(tmp_path, DEV)
    assert load_environment(path).api.allowed_ingress_cidrs == ["203.0.113.0/24"]
    assert capsys.readouterr().err == ""


def test_the_old_place_still_works_and_prints_one_deprecation_line(tmp_path, capsys):
    path = write(tmp_path, DEV.replace(NEW_PLACE, "").replace("[network]\n", OLD_PLACE))
    (config,) = load_environments(path.parent)
    assert config.api.allowed_ingress_cidrs == ["203.0.113.0/24"]
    assert not hasattr(config.network, "allowed_ingress_cidrs")
    assert capsys.readouterr().err.splitlines() == [deprecation(path)]


def test_the_old_place_works_beside_an_api_table_that_only_names_the_callers(tmp_path, capsys):
    """An old file's [api] may hold nothing but the principals the IAM authorizer needs (there is no default)."""
    head, _, rest = DEV.replace(NEW_PLACE, "").replace("[network]\n", OLD_PLACE).partition("[api]\n")
    path = write(tmp_path, head + '[api]\ninvoke_principals = ["acme-api-client-dev"]\n\n' + rest[rest.index("\n[") + 1 :])
    config = load_environment(path)
    assert config.api.allowed_ingress_cidrs == ["203.0.113.0/24"]
    assert config.api.throttle_rate_limit == 50, "the rest of [api] keeps its defaults"
    assert capsys.readouterr().err.splitlines() == [deprecation(path)]


def test_the_old_place_is_checked_like_the_new(tmp_path, capsys):
    path = write(tmp_path, DEV.replace(NEW_PLACE, "").replace("[network]\n", "[network]\nallowed_ingress_cidrs = [\"10.10.5.0/24\"]\n"))
    with pytest.raises(ConfigError) as refusal:
        load_environment(path)
    assert [p.field for p in refusal.value.problems] == ["api.allowed_ingress_cidrs[0]"]
    assert "overlaps the VPC's own range" in refusal.value.problems[0].reason
    assert capsys.readouterr().err.splitlines() == [deprecation(path)]


def test_both_places_are_refused(tmp_path, capsys):
    path = write(tmp_path, DEV.replace("[network]\n", OLD_PLACE))
    with pytest.raises(ConfigError) as refusal:
        load_environment(path)
    assert str(refusal.value) == (
        f"{path.resolve()}: network.allowed_ingress_cidrs: also set as api.allowed_ingress_cidrs; "
        "keep only [api] allowed_ingress_cidrs"
    )
    assert capsys.readouterr().err == "", "a refusal, not a warning"


def test_neither_place_is_a_missing_key_of_the_api(tmp_path):
    path = write(tmp_path, DEV.replace(NEW_PLACE, ""))
    with pytest.raises(ConfigError) as refusal:
        load_environment(path)
    assert [str(p) for p in refusal.value.problems] == [
        f"{path.resolve()}: api.allowed_ingress_cidrs: required key is missing; "
        "add it (see the file references in README.md)"
    ]


def test_the_deprecation_is_printed_once_per_file_per_load(tmp_path, capsys):
    old = DEV.replace(NEW_PLACE, "").replace("[network]\n", OLD_PLACE)
    first = write(tmp_path, old, "a-dev.toml")
    second = write(tmp_path, old.replace("platform/dev.tfstate", "platform/b-dev.tfstate"), "b-dev.toml")
    load_environments(first.parent)
    assert capsys.readouterr().err.splitlines() == [deprecation(first), deprecation(second)]
    load_environments(first.parent, only=["b-dev"])
    assert capsys.readouterr().err.splitlines() == [deprecation(second)]
