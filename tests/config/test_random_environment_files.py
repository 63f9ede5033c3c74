"""Property: for any environment file, the loader accepts it and synth succeeds, or it refuses it cleanly.

Hypothesis mutates dev.toml: values of the right and the wrong type, in and out of
range, CIDRs that are bad or overlap, AZs from other regions, retention values
CloudWatch rejects, project names that make invalid bucket names, removed keys,
unknown keys, the API's allow-list in its old place (``[network]``) or in both
places. Whatever it generates:

* either ``load_environments`` accepts the file and the platform synthesizes it
  (in this process, through the same ``synthesize`` as ``main.py``);
* or it raises ``ConfigError``, whose every line names the file and a field;
* and nothing else is ever raised (which is what would print a traceback).
"""

from __future__ import annotations

import json
import tempfile
import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from environments import ENVIRONMENTS_DIR, load_environments
from platform_core.errors import ConfigError
from platform_core.target import DeployTarget
from tests.synth import synth_environments

DEV: dict[str, Any] = tomllib.loads((ENVIRONMENTS_DIR / "dev.toml").read_text())

RETENTION = st.one_of(st.sampled_from([1, 3, 5, 7, 14, 30, 60, 90, 365, 400, 545, 3653]), st.integers(-10, 5000))
CIDR = st.one_of(
    st.sampled_from(["10.10.0.0/16", "10.20.0.0/17", "172.16.0.0/16", "10.10.0.1/16", "10.0.0.0/28", "0.0.0.0/0", "300.1.0.0/16"]),
    st.text(max_size=20),
)
AZ = st.sampled_from(["us-east-1a", "us-east-1b", "us-east-1c", "us-east-1d", "eu-west-1a", "us-east-1z", ""])
ANYTHING = st.one_of(st.none(), st.booleans(), st.integers(-(2**40), 2**40), st.text(max_size=30), st.lists(st.integers(), max_size=3))

FIELDS: dict[tuple[str, ...], st.SearchStrategy[Any]] = {
    ("project",): st.one_of(st.sampled_from(["acme", "Acme", "ac_me", "a", "x" * 60, "acme-"]), st.text(max_size=12)),
    ("region",): st.sampled_from(["us-east-1", "eu-west-1", "mars-1", ""]),
    ("production",): st.one_of(st.booleans(), st.text(max_size=5)),
    ("tags", "Owner"): st.one_of(st.emails(), st.text(max_size=300)),
    ("tags", "CostCenter"): st.text(max_size=20),
    ("network", "vpc_cidr"): CIDR,
    ("network", "availability_zones"): st.lists(AZ, max_size=4),
    ("network", "nat_mode"): st.one_of(st.sampled_from(["single", "per_az", "none"]), st.integers()),
    ("network", "flow_log_retention_days"): RETENTION,
    ("logging", "retention_days"): RETENTION,
    ("audit", "log_retention_days"): RETENTION,
    ("audit", "object_lock"): st.one_of(st.sampled_from(["compliance", "governance", "off", "COMPLIANCE", ""]), st.booleans()),
    ("encryption", "key_deletion_window_days"): st.integers(-1, 40),
    ("storage", "log_expiration_days"): st.integers(-1, 4000),
    ("database", "instance_class"): st.one_of(st.sampled_from(["db.t4g.medium", "db.r6g.large", "t3.micro", ""]), st.integers()),
    ("database", "allocated_storage_gb"): st.integers(-5, 70000),
    ("database", "max_allocated_storage_gb"): st.integers(-5, 70000),
    ("database", "multi_az"): st.one_of(st.booleans(), st.text(max_size=5)),
    ("database", "backup_retention_days"): st.integers(-1, 40),
    ("compute", "instances_per_az"): st.integers(-1, 20),
    ("api", "allowed_ingress_cidrs"): st.lists(CIDR, max_size=3),
    ("api", "cors_allowed_origins"): st.lists(st.one_of(st.sampled_from(["https://app.example.com", "*", "http://x"]), st.text(max_size=15)), max_size=3),
    ("api", "throttle_rate_limit"): st.integers(-5, 20000),
    ("api", "throttle_burst_limit"): st.integers(-5, 20000),
    ("serverless", "reserved_concurrency"): st.integers(-2, 2000),
    ("state", "key"): st.sampled_from(["platform/dev.tfstate", "dev.tfstate", "/abs.tfstate", "../up.tfstate", "no-suffix", ""]),
    ("protections", "prevent_destroy"): st.one_of(st.booleans(), st.integers(0, 2)),
}


@st.composite
def environment_files(draw: st.DrawFn) -> dict[str, Any]:
    config = json.loads(json.dumps(DEV))
    for path in draw(st.lists(st.sampled_from(sorted(FIELDS)), min_size=1, max_size=4, unique=True)):
        *tables, key = path
        table = config
        for name in tables:
            table = table[name]
        if draw(st.integers(0, 9)) == 0:
            table.pop(key, None)  # a missing key
        else:
            table[key] = draw(st.one_of(FIELDS[path], ANYTHING) if draw(st.booleans()) else FIELDS[path])
    # Now and then the allow-list sits where it used to (read, with a warning), or in both places (refused).
    placement = draw(st.sampled_from(["api"] * 8 + ["network", "both"]))
    if placement != "api" and "allowed_ingress_cidrs" in config["api"]:
        config["network"]["allowed_ingress_cidrs"] = config["api"]["allowed_ingress_cidrs"]
        if placement == "network":
            del config["api"]["allowed_ingress_cidrs"]
    if draw(st.integers(0, 9)) == 0:
        config[draw(st.sampled_from(sorted(k for k, v in config.items() if isinstance(v, dict))))][draw(st.text(min_size=1, max_size=10))] = 1
    return config


def to_toml(config: dict[str, Any]) -> str:
    """TOML for a dict of scalars, arrays and one level of tables; JSON literals are valid TOML for these."""

    def literal(value: Any) -> str:
        if value is None:
            return '""'
        if isinstance(value, list):
            return "[" + ", ".join(literal(v) for v in value) + "]"
        return json.dumps(value)

    lines = [f"{json.dumps(k)} = {literal(v)}" for k, v in config.items() if not isinstance(v, dict)]
    for name, table in config.items():
        if isinstance(table, dict):
            lines += ["", f"[{name}]", *(f"{json.dumps(k)} = {literal(v)}" for k, v in table.items())]
    return "\n".join(lines) + "\n"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(config=environment_files())
def test_a_random_environment_file_is_accepted_and_synthesized_or_refused_cleanly(config):
    with tempfile.TemporaryDirectory(prefix="random-env-") as work:
        directory = Path(work) / "environments"
        directory.mkdir()
        path = directory / "dev.toml"
        path.write_text(to_toml(config), encoding="utf-8")
        try:
            (accepted,) = load_environments(directory)
        except ConfigError as refusal:
            lines = str(refusal).splitlines()
            assert lines, "a refusal says why"
            for line in lines:
                assert line.startswith(f"{path}: "), line
                assert len(line.split(": ", 2)) == 3, f"file: field: reason expected, got {line!r}"
            return
        stacks = synth_environments([accepted], DeployTarget(kind="aws"), Path(work) / "out")
        assert stacks["dev"]["resource"]["aws_vpc"], "an accepted file synthesizes the whole platform"


def test_an_unknown_key_with_a_line_break_or_a_colon_is_named_on_one_quoted_line(tmp_path):
    """Found by the property test above: an unknown key ``"a\\nb: c"`` split the refusal over two lines."""
    config = json.loads(json.dumps(DEV))
    config["api"]["a\nb: c"] = 1
    directory = tmp_path / "environments"
    directory.mkdir()
    path = directory / "dev.toml"
    path.write_text(to_toml(config), encoding="utf-8")
    with pytest.raises(ConfigError) as refusal:
        load_environments(directory)
    (line,) = str(refusal.value).splitlines()
    assert line.startswith(f'{path}: api."a\\nb: c": unknown key; remove it or fix its spelling'), line
