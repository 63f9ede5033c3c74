"""MySQL 8.0 is past RDS standard support: refused, unless the environment accepts Extended Support by name."""

from __future__ import annotations

from pathlib import Path

import pytest

from environments import ENVIRONMENTS_DIR
from environments.loader import load_environment
from platform_core.errors import ConfigError

DEV = (ENVIRONMENTS_DIR / "dev.toml").read_text()


def dev_with(tmp_path: Path, database_lines: str) -> Path:
    assert "[database]\n" in DEV
    path = tmp_path / "dev.toml"
    path.write_text(DEV.replace("[database]\n", f"[database]\n{database_lines}", 1))
    return path


def test_the_default_is_mysql_8_4_lts(configs, environment):
    database = configs[environment].database
    assert (database.engine_version, database.major_version, database.accept_extended_support) == ("8.4", "8.4", False)


def test_mysql_8_0_is_refused_with_the_file_the_field_the_date_and_the_fix(tmp_path):
    path = dev_with(tmp_path, 'engine_version = "8.0"\n')
    with pytest.raises(ConfigError) as refused:
        load_environment(path)
    (problem,) = refused.value.problems
    assert (problem.field, Path(problem.file).name) == ("database.engine_version", "dev.toml")
    line = str(refused.value)
    assert f"{problem.file}: database.engine_version: '8.0': RDS standard support for MySQL 8.0 ended on 31 July 2026" in line
    assert "paid Extended Support" in line
    assert 'Upgrade to MySQL 8.4 (set engine_version = "8.4", or remove the line: 8.4 is the default)' in line
    assert "set accept_extended_support = true in [database]" in line


@pytest.mark.parametrize("version", ["8.0", "8.0.40"])
def test_accepting_extended_support_on_purpose_lets_8_0_run(tmp_path, version):
    config = load_environment(dev_with(tmp_path, f'engine_version = "{version}"\naccept_extended_support = true\n'))
    assert (config.database.engine_version, config.database.major_version) == (version, "8.0")


def test_accepting_extended_support_on_8_4_is_refused_so_it_cannot_linger(tmp_path):
    with pytest.raises(ConfigError) as refused:
        load_environment(dev_with(tmp_path, "accept_extended_support = true\n"))
    (problem,) = refused.value.problems
    assert problem.field == "database.accept_extended_support"
    assert "MySQL 8.4 is in RDS standard support, so there is no Extended Support to accept; remove the line" in problem.reason


def test_8_4_may_be_pinned_to_a_minor_version(tmp_path):
    config = load_environment(dev_with(tmp_path, 'engine_version = "8.4.5"\n'))
    assert (config.database.engine_version, config.database.major_version) == ("8.4.5", "8.4")
