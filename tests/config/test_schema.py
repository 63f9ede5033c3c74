"""The shipped environments load, and the schema's defaults are the secure ones."""

from __future__ import annotations

import pytest

from environments import load_environments
from environments.schema import EnvironmentConfig, NetworkConfig, Protections
from environments.validators import CLOUDWATCH_RETENTION_DAYS


def test_every_shipped_environment_loads():
    assert [c.name for c in load_environments()] == ["dev", "prod", "staging"]


def test_defaults_are_the_production_settings():
    assert Protections().relaxed() == []
    assert EnvironmentConfig.model_fields["production"].default is True
    assert NetworkConfig.model_fields["nat_mode"].default == "per_az"
    assert NetworkConfig.model_fields["flow_log_retention_days"].default in CLOUDWATCH_RETENTION_DAYS


def test_prod_relaxes_nothing_and_dev_relaxes_by_name(configs):
    assert configs["prod"].production is True
    assert configs["prod"].protections.relaxed() == []
    assert set(configs["dev"].protections.relaxed()) == {
        "deletion_protection", "prevent_destroy", "final_snapshot", "keep_bucket_contents",
    }


def test_nat_modes_per_stage(configs):
    assert configs["dev"].network.nat_mode == "single"
    assert configs["staging"].network.nat_mode == "per_az"
    assert configs["prod"].network.nat_mode == "per_az"


def test_the_api_allow_list_lives_in_the_api_section(configs):
    assert configs["dev"].api.allowed_ingress_cidrs == ["203.0.113.0/24"]
    assert configs["staging"].api.allowed_ingress_cidrs == ["203.0.113.0/24", "198.51.100.0/24"]
    assert configs["prod"].api.allowed_ingress_cidrs == ["198.51.100.0/24"]
    assert "allowed_ingress_cidrs" not in NetworkConfig.model_fields


def test_standard_tags_carry_the_environment(configs, environment):
    tags = configs[environment].resource_tags
    assert set(tags) == {"Environment", "Application", "CostCenter", "Owner"}
    assert tags["Environment"] == environment


def test_configs_are_immutable(configs):
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="frozen"):
        configs["dev"].region = "eu-west-1"  # type: ignore[misc]


def test_only_requested_environments_load():
    assert [c.name for c in load_environments(only=["prod"])] == ["prod"]
