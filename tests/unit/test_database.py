"""The database: private, encrypted, TLS-only MySQL 8.4 with managed secret, monitoring, logs, alarms and RDS events."""

from __future__ import annotations

import pytest

from tests.synth import find, ref, resources, walk

ACCOUNT = "${data.aws_caller_identity.current-account.account_id}"


def instance(stack):
    return find(stack, "aws_db_instance", "database/instance")


def test_mysql_8_4_from_config(stacks, configs, environment):
    _, db = instance(stacks[environment])
    assert db["engine"] == "mysql"
    assert db["engine_version"] == configs[environment].database.engine_version == "8.4"
    assert db["instance_class"] == configs[environment].database.instance_class


def test_a_new_major_version_is_an_in_place_upgrade(stacks, environment):
    """Without the flag RDS refuses a major upgrade; with it, a new major in the file modifies the instance."""
    _, db = instance(stacks[environment])
    assert db["allow_major_version_upgrade"] is True
    assert "apply_immediately" not in db, "upgrades wait for the maintenance window unless someone decides otherwise"


@pytest.mark.parametrize("environment, multi_az", [("dev", False), ("staging", True), ("prod", True)])
def test_multi_az_in_staging_and_prod_only(stacks, environment, multi_az):
    assert instance(stacks[environment])[1]["multi_az"] is multi_az


def test_sits_in_the_database_subnets_and_is_not_public(stacks, environment):
    stack = stacks[environment]
    _, db = instance(stack)
    group_name, group = find(stack, "aws_db_subnet_group", "database/subnet-group")
    database_subnets = {ref("aws_subnet", n) for n, s in resources(stack, "aws_subnet").items() if s["tags"]["Tier"] == "database"}
    assert set(group["subnet_ids"]) == database_subnets
    assert db["db_subnet_group_name"] == ref("aws_db_subnet_group", group_name, "name")
    assert db["publicly_accessible"] is False


def test_storage_secret_and_insights_are_encrypted_with_the_database_key(stacks, environment):
    stack = stacks[environment]
    _, db = instance(stack)
    key = ref("aws_kms_key", find(stack, "aws_kms_key", "keys/database-key/key")[0], "arn")
    assert db["storage_encrypted"] is True and db["kms_key_id"] == key
    assert db["manage_master_user_password"] is True and db["master_user_secret_kms_key_id"] == key
    assert db["performance_insights_enabled"] is True and db["performance_insights_kms_key_id"] == key


def test_no_password_anywhere_in_any_environment(stacks):
    """The only attribute about a password is the flag that hands it to RDS and Secrets Manager."""
    seen = 0
    for environment, stack in stacks.items():
        for path, value in walk(stack):
            leaf = path.rsplit(".", 1)[-1]
            if "password" in leaf.lower() or "passwd" in leaf.lower():
                assert leaf == "manage_master_user_password" and value is True, (environment, path, value)
                seen += 1
    assert seen == len(stacks)


def test_iam_authentication_and_tls_required(stacks, environment):
    stack = stacks[environment]
    _, db = instance(stack)
    assert db["iam_database_authentication_enabled"] is True
    assert db["ca_cert_identifier"] == "rds-ca-rsa2048-g1"
    group_name, group = find(stack, "aws_db_parameter_group", "database/parameter-group")
    assert db["parameter_group_name"] == ref("aws_db_parameter_group", group_name, "name")
    assert group["family"] == "mysql8.4"
    assert group["description"] == "MySQL 8.4 parameters: TLS required"
    assert {"name": "require_secure_transport", "value": "1", "apply_method": "immediate"} in group["parameter"]
    assert group["lifecycle"]["create_before_destroy"] is True
    assert group["name_prefix"] == f"acme-database-{environment}-" and "name" not in group


@pytest.mark.parametrize("environment, retention", [("dev", 7), ("staging", 7), ("prod", 30)])
def test_backups_and_windows(stacks, configs, environment, retention):
    _, db = instance(stacks[environment])
    assert db["backup_retention_period"] == retention
    assert db["backup_window"] == configs[environment].database.backup_window
    assert db["maintenance_window"] == configs[environment].database.maintenance_window


@pytest.mark.parametrize("environment, protected", [("dev", False), ("staging", False), ("prod", True)])
def test_deletion_protection_and_final_snapshot_in_prod_only(stacks, environment, protected):
    _, db = instance(stacks[environment])
    assert db["deletion_protection"] is protected
    assert db["skip_final_snapshot"] is (not protected)
    assert ("final_snapshot_identifier" in db) is protected
    assert db["lifecycle"]["prevent_destroy"] is protected


def test_enhanced_monitoring_through_its_own_role(stacks, environment):
    stack = stacks[environment]
    _, db = instance(stack)
    role_name, _ = find(stack, "aws_iam_role", "database/monitoring-role/role")
    assert db["monitoring_interval"] == 60
    assert db["monitoring_role_arn"] == ref("aws_iam_role", role_name, "arn")
    _, attachment = find(stack, "aws_iam_role_policy_attachment", "database/monitoring-role/managed-policy-0")
    assert attachment["policy_arn"].endswith(":iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole")


def test_logs_exported_to_encrypted_groups_that_exist_first(stacks, configs, environment):
    stack = stacks[environment]
    _, db = instance(stack)
    assert db["enabled_cloudwatch_logs_exports"] == ["error", "general", "slowquery"]
    for log in ("error", "general", "slowquery"):
        name, group = find(stack, "aws_cloudwatch_log_group", f"database/{log}-log-group/log-group")
        assert group["name"] == f"/aws/rds/instance/acme-database-{environment}/{log}"
        assert group["retention_in_days"] == configs[environment].logging.retention_days
        assert "kms_key_id" in group
        assert f"aws_cloudwatch_log_group.{name}" in db["depends_on"]


def test_copies_tags_and_upgrades_minor_versions(stacks, environment):
    _, db = instance(stacks[environment])
    assert db["copy_tags_to_snapshot"] is True and db["auto_minor_version_upgrade"] is True


def test_mysql_only_from_the_app_security_group(stacks, environment):
    stack = stacks[environment]
    group_name, _ = find(stack, "aws_security_group", "database/security-group")
    app_name, _ = find(stack, "aws_security_group", "compute/security-group")
    rules = [r for r in resources(stack, "aws_vpc_security_group_ingress_rule").values() if r["security_group_id"] == ref("aws_security_group", group_name)]
    assert len(rules) == 1
    (rule,) = rules
    assert (rule["ip_protocol"], rule["from_port"], rule["to_port"]) == ("tcp", 3306, 3306)
    assert rule["referenced_security_group_id"] == ref("aws_security_group", app_name)
    assert "cidr_ipv4" not in rule and "cidr_ipv6" not in rule
    egress = [r for r in resources(stack, "aws_vpc_security_group_egress_rule").values() if r["security_group_id"] == ref("aws_security_group", group_name)]
    assert egress == []
    _, db = instance(stack)
    assert db["vpc_security_group_ids"] == [ref("aws_security_group", group_name)]


@pytest.mark.parametrize("environment, alarms", [("dev", {"cpu", "free-storage", "connections"}), ("prod", {"cpu", "free-storage", "connections", "replica-lag"})])
def test_alarms_to_the_topic(stacks, environment, alarms):
    stack = stacks[environment]
    topic = ref("aws_sns_topic", find(stack, "aws_sns_topic", "alarm-topic/topic")[0], "arn")
    db_name, _ = instance(stack)
    found = {}
    for alarm in resources(stack, "aws_cloudwatch_metric_alarm").values():
        if alarm["//"]["metadata"]["path"].startswith(f"{environment}/database/"):
            found[alarm["alarm_name"].removeprefix("acme-database-").removesuffix(f"-{environment}")] = alarm
    assert set(found) == alarms
    for alarm in found.values():
        assert alarm["namespace"] == "AWS/RDS" and alarm["alarm_actions"] == [topic]
        assert alarm["dimensions"] == {"DBInstanceIdentifier": ref("aws_db_instance", db_name, "identifier")}


def test_outputs_name_the_secret_not_its_value(stacks, environment):
    outputs = stacks[environment]["output"]
    db_name, _ = instance(stacks[environment])
    assert outputs["database_secret_arn"]["value"] == f"${{aws_db_instance.{db_name}.master_user_secret[0].secret_arn}}"
    assert outputs["database_endpoint"]["value"] == ref("aws_db_instance", db_name, "address")
    assert outputs["database_port"]["value"] == ref("aws_db_instance", db_name, "port")


def test_rds_events_of_the_instance_and_its_parameter_group_go_to_the_alarm_topic(stacks, environment):
    stack = stacks[environment]
    topic = ref("aws_sns_topic", find(stack, "aws_sns_topic", "alarm-topic/topic")[0], "arn")
    db_name, _ = instance(stack)
    group_name, _ = find(stack, "aws_db_parameter_group", "database/parameter-group")
    _, on_instance = find(stack, "aws_db_event_subscription", "database/events/instance-events")
    _, on_group = find(stack, "aws_db_event_subscription", "database/events/parameter-group-events")
    assert len(resources(stack, "aws_db_event_subscription")) == 2, "no db-security-group subscription: that source type is EC2-Classic's"
    assert on_instance["name"] == f"acme-database-events-{environment}"
    assert (on_instance["source_type"], on_instance["source_ids"]) == ("db-instance", [ref("aws_db_instance", db_name, "identifier")])
    assert {"failure", "failover", "low storage", "maintenance", "availability", "configuration change", "notification"} <= set(on_instance["event_categories"])
    assert not {"backup", "creation", "read replica"} & set(on_instance["event_categories"]), "routine events would bury the ones that matter"
    assert on_group["name"] == f"acme-database-parameter-events-{environment}"
    assert (on_group["source_type"], on_group["source_ids"]) == ("db-parameter-group", [ref("aws_db_parameter_group", group_name, "name")])
    assert on_group["event_categories"] == ["configuration change"]
    for subscription in (on_instance, on_group):
        assert subscription["sns_topic"] == topic and subscription["enabled"] is True
