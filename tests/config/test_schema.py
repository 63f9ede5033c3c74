"""The shipped environments load, and the schema's defaults are the secure ones."""

from __future__ import annotations

import pytest

from environments import load_environments
from environments.config_model import StateConfig
from environments.schema import AuditConfig, EnvironmentConfig, NetworkConfig, Protections
from environments.validators import CLOUDWATCH_RETENTION_DAYS
from environments.workload_schema import BackupConfig


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
        "deletion_protection", "prevent_destroy", "final_snapshot", "keep_bucket_contents", "keep_recovery_points",
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


def test_insights_are_on_by_default_and_in_every_shipped_environment(configs):
    assert AuditConfig.model_fields["insights"].default is True
    assert "charges" in AuditConfig.model_fields["insights"].description, "the description says Insights costs money"
    assert {name: config.audit.insights for name, config in configs.items()} == {"dev": True, "staging": True, "prod": True}


def test_insights_can_be_turned_off_by_name(configs):
    off = EnvironmentConfig.model_validate({**configs["dev"].model_dump(exclude={"name"}), "name": "dev", "audit": {"insights": False}}, strict=False)
    assert off.audit.insights is False
    assert off.audit.log_retention_days == AuditConfig.model_fields["log_retention_days"].default
    assert off.settings()["audit.insights"] is False, "a suppression's `when` can name it"


def test_object_lock_is_compliance_by_default_and_relaxed_by_name(configs):
    assert AuditConfig.model_fields["object_lock"].default == "compliance"
    assert {name: config.audit.object_lock for name, config in configs.items()} == {"dev": "off", "staging": "governance", "prod": "compliance"}
    assert "object_lock" not in configs["prod"].audit.model_fields_set, "prod keeps the default"
    assert configs["dev"].settings()["audit.object_lock"] == "off", "a suppression's `when` can name it"


def test_a_state_bucket_name_leaves_room_for_its_access_log_bucket():
    assert StateConfig(bucket="a" * 51, region="us-east-1", key="x.tfstate").bucket == "a" * 51
    with pytest.raises(ValueError, match="over S3's 63"):
        StateConfig(bucket="a" * 52, region="us-east-1", key="x.tfstate")


def test_backups_are_locked_by_default_and_unlocked_only_by_name(configs):
    defaults = BackupConfig()
    assert defaults.vault_lock is True and defaults.copy_to_region is None
    assert defaults.lock_min_retention_days <= min(defaults.retentions.values())
    assert max(defaults.retentions.values()) <= defaults.lock_max_retention_days
    assert "backup" not in configs["prod"].model_fields_set, "prod keeps every backup default"
    assert configs["prod"].backup == defaults
    for name in ("dev", "staging"):
        assert configs[name].backup.vault_lock is False
        assert "vault_lock" in configs[name].backup.model_fields_set, f"{name} turns the lock off by name"


def test_every_backup_field_is_described():
    assert all(field.description for field in BackupConfig.model_fields.values())
