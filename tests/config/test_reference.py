"""The README's environment-file reference is generated from the schema, and every field explains itself."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import BaseModel

from environments import account_schema, schema
from environments.reference import END_MARKER, REFERENCES, START_MARKER, main, reference_table, table_in

README = Path(__file__).resolve().parents[2] / "README.md"

MODELS = [
    model
    for module in (schema, account_schema)
    for model in vars(module).values()
    if isinstance(model, type) and issubclass(model, BaseModel) and model.__module__ == module.__name__
]


def row(key: str) -> list[str]:
    (line,) = [line for line in reference_table().splitlines() if line.startswith(f"| `{key}` |")]
    return [cell.strip() for cell in line.strip("|").split(" | ")]


@pytest.mark.parametrize("kind", sorted(REFERENCES))
def test_the_readme_table_is_the_generated_one(kind):
    shown = table_in(README.read_text(encoding="utf-8"), kind)
    assert shown is not None, f"README.md lacks the markers of the {kind} reference"
    assert shown == reference_table(kind), (
        f"README.md's {kind}-file reference differs from its schema; run `make docs` to regenerate it"
    )


@pytest.mark.parametrize("model", MODELS, ids=[m.__name__ for m in MODELS])
def test_every_field_has_a_description(model: type[BaseModel]):
    missing = [name for name, field in model.model_fields.items() if not (field.description or "").strip()]
    assert not missing, f"{model.__name__} fields without a description: {missing}"


def test_every_key_of_a_file_is_a_row_and_the_name_is_not():
    keys = [line.split("`")[1] for line in reference_table().splitlines()[2:]]
    assert "name" not in keys
    assert len(keys) == len(set(keys))
    assert {"project", "network.vpc_cidr", "tags.Owner", "network.subnet_prefix_lengths.private", "api.allowed_ingress_cidrs"} <= set(keys)
    assert "network.allowed_ingress_cidrs" not in keys


def test_types_and_defaults_read_like_the_file():
    assert row("network.nat_mode") == ["`network.nat_mode`", "`single` \\| `per_az`", "`per_az`", row("network.nat_mode")[3]]
    assert row("storage.data_transitions")[1] == "list of {days, storage_class}"
    assert row("storage.data_transitions")[2].startswith('`{days = 30, storage_class = "STANDARD_IA"}`')
    assert row("network.vpc_cidr")[1:3] == ["CIDR", "required"]
    assert row("account_id")[2] == "none"
    assert row("production")[1:3] == ["bool", "`true`"]
    assert row("network.flow_log_retention_days")[2] == f"`{schema.NetworkConfig.model_fields['flow_log_retention_days'].default}`"


def test_write_replaces_only_the_text_between_the_markers(tmp_path, capsys):
    _, account_start, account_end = REFERENCES["account"]
    target = tmp_path / "README.md"
    target.write_text(f"# Title\n\nbefore\n{START_MARKER}\n| old | table |\n{END_MARKER}\nbetween\n{account_start}\n{account_end}\nafter\n")
    assert main(["--write", str(target)]) == 0
    text = target.read_text()
    assert text == (
        f"# Title\n\nbefore\n{START_MARKER}\n{reference_table()}{END_MARKER}\nbetween\n"
        f"{account_start}\n{reference_table('account')}{account_end}\nafter\n"
    )
    assert main(["--write", str(target)]) == 0
    assert target.read_text() == text
    assert "already up to date" in capsys.readouterr().out


def test_write_without_markers_is_refused(tmp_path, capsys):
    target = tmp_path / "README.md"
    target.write_text("# no markers\n")
    assert main(["--write", str(target)]) == 2
    assert "markers" in capsys.readouterr().err
    assert target.read_text() == "# no markers\n"
