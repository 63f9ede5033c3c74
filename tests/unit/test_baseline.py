"""The account baseline, proved from its synthesized JSON: every control of issue 16 section 2, in every covered
region where the service is regional, and the account file's values where it has them."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from constructs_lib.baseline.findings import GUARDDUTY_PATTERN, SECURITY_HUB_PATTERN
from environments.account_schema import AccountConfig
from platform_core.account_controls import CONFIG_RULES
from platform_core.target import DeployTarget
from tests.synth import by_sid, conditions, find, ref, resources, statements_of, synth_environments

ACCOUNT = "${data.aws_caller_identity.current-account.account_id}"
PARTITION = "${data.aws_partition.current-partition.partition}"
DEFAULT_FILE = Path(__file__).resolve().parents[2] / "accounts" / "default.toml"
HOME, OTHER = "us-east-1", "eu-west-1"


def account(name: str = "default", **changes) -> AccountConfig:
    """The shipped default account file, with top-level sections replaced or merged."""
    data = tomllib.loads(DEFAULT_FILE.read_text())
    for key, value in changes.items():
        data[key] = {**data[key], **value} if isinstance(value, dict) and isinstance(data.get(key), dict) else value
    return AccountConfig.model_validate({**data, "name": name})


@pytest.fixture(scope="module")
def variants(tmp_path_factory) -> dict[str, dict]:
    """Baselines the shipped file does not show: two regions with custom values, and every optional feature off."""
    two_regions = account(
        "tworegions", regions=[HOME, OTHER],
        password_policy={"minimum_length": 20, "max_age_days": 90, "require_symbols": False},
        protections={"keep_config_history": False},
    )
    features = {name: False for name in AccountConfig.model_fields["features"].default_factory().model_dump()}
    minimal = account("minimal", features=features, protections={"key_deletion_window_days": 7})
    out = tmp_path_factory.mktemp("baselines")
    return synth_environments([], DeployTarget(kind="aws"), out, [two_regions, minimal])


@pytest.fixture
def baseline(baseline_stacks) -> dict:
    return baseline_stacks["default"]


def in_region(body: dict, region: str) -> bool:
    """A resource is in the home region when it names no provider; elsewhere through ``aws.<region>``."""
    return body.get("provider") == (None if region == HOME else f"aws.{region}")


def regional(stack: dict, resource_type: str, region: str) -> list[dict]:
    return [body for body in resources(stack, resource_type).values() if in_region(body, region)]


# --- the stack -----------------------------------------------------------------------------------


def test_the_baseline_has_its_own_state_and_is_pinned_to_the_account(baseline, accounts):
    backend = baseline["terraform"]["backend"]["s3"]
    state = accounts["default"].state
    assert (backend["bucket"], backend["key"], backend["use_lockfile"], backend["encrypt"]) == (state.bucket, state.key, True, True)
    (provider,) = baseline["provider"]["aws"]
    assert provider["region"] == HOME and provider["allowed_account_ids"] == [accounts["default"].account_id]
    assert provider["default_tags"][0]["tags"]["Environment"] == "account-default"


def test_every_other_covered_region_gets_its_own_aliased_provider(variants):
    providers = variants["baseline-tworegions"]["provider"]["aws"]
    assert [(p["region"], p.get("alias")) for p in providers] == [(HOME, None), (OTHER, OTHER)]
    assert all(p["allowed_account_ids"] == ["123456789012"] for p in providers)


def test_no_environment_resource_and_no_cis_metric_alarm_is_duplicated(baseline, stacks):
    """The CIS metric-filter alarms live with each environment's trail; the baseline adds none of them."""
    for kind in ("aws_cloudtrail", "aws_cloudwatch_log_metric_filter", "aws_cloudwatch_metric_alarm", "aws_vpc"):
        assert resources(baseline, kind) == {}, kind
    for kind in ("aws_guardduty_detector", "aws_securityhub_account", "aws_config_configuration_recorder", "aws_iam_account_password_policy"):
        assert all(resources(stack, kind) == {} for stack in stacks.values()), f"{kind} belongs to the baseline only"


# --- GuardDuty -----------------------------------------------------------------------------------


@pytest.mark.parametrize("region", [HOME, OTHER])
def test_guardduty_detects_in_every_region_with_every_feature(variants, region):
    stack = variants["baseline-tworegions"]
    (detector,) = regional(stack, "aws_guardduty_detector", region)
    assert detector["enable"] is True and detector["finding_publishing_frequency"] == "FIFTEEN_MINUTES"
    features = {f["name"]: f for f in regional(stack, "aws_guardduty_detector_feature", region)}
    assert sorted(features) == sorted(["S3_DATA_EVENTS", "RDS_LOGIN_EVENTS", "LAMBDA_NETWORK_LOGS", "EBS_MALWARE_PROTECTION", "RUNTIME_MONITORING"])
    assert {f["status"] for f in features.values()} == {"ENABLED"}
    assert features["RUNTIME_MONITORING"]["additional_configuration"] == [{"name": "EC2_AGENT_MANAGEMENT", "status": "ENABLED"}]
    detector_name = next(n for n, b in resources(stack, "aws_guardduty_detector").items() if in_region(b, region))
    assert {f["detector_id"] for f in features.values()} == {ref("aws_guardduty_detector", detector_name)}


# --- Security Hub --------------------------------------------------------------------------------


@pytest.mark.parametrize("region", [HOME, OTHER])
def test_security_hub_subscribes_exactly_cis_and_foundational_best_practices(variants, region):
    stack = variants["baseline-tworegions"]
    (hub,) = regional(stack, "aws_securityhub_account", region)
    assert hub["enable_default_standards"] is False and hub["control_finding_generator"] == "SECURITY_CONTROL"
    arns = sorted(s["standards_arn"] for s in regional(stack, "aws_securityhub_standards_subscription", region))
    assert arns == [
        f"arn:{PARTITION}:securityhub:{region}::standards/aws-foundational-security-best-practices/v/1.0.0",
        f"arn:{PARTITION}:securityhub:{region}::standards/cis-aws-foundations-benchmark/v/3.0.0",
    ]


def test_the_home_region_aggregates_every_regions_findings(variants):
    stack = variants["baseline-tworegions"]
    (aggregator,) = resources(stack, "aws_securityhub_finding_aggregator").values()
    assert in_region(aggregator, HOME) and aggregator["linking_mode"] == "ALL_REGIONS"


# --- AWS Config ----------------------------------------------------------------------------------


@pytest.mark.parametrize("region", [HOME, OTHER])
def test_config_records_every_supported_resource_global_ones_in_the_home_region_only(variants, region):
    stack = variants["baseline-tworegions"]
    (recorder,) = regional(stack, "aws_config_configuration_recorder", region)
    assert recorder["recording_group"] == {"all_supported": True, "include_global_resource_types": region == HOME}
    (status,) = regional(stack, "aws_config_configuration_recorder_status", region)
    assert status["is_enabled"] is True


@pytest.mark.parametrize("region", [HOME, OTHER])
def test_every_region_delivers_to_the_one_encrypted_home_bucket(variants, region):
    stack = variants["baseline-tworegions"]
    (channel,) = regional(stack, "aws_config_delivery_channel", region)
    bucket, _ = find(stack, "aws_s3_bucket", "config-delivery/bucket/bucket")
    key, _ = find(stack, "aws_kms_key", "config-key/key")
    assert channel["s3_bucket_name"] == ref("aws_s3_bucket", bucket)
    assert channel["s3_kms_key_arn"] == ref("aws_kms_key", key, "arn")


def test_the_config_bucket_is_a_kms_encrypted_access_logged_secure_bucket(baseline):
    bucket, body = find(baseline, "aws_s3_bucket", "config-delivery/bucket/bucket")
    assert body["bucket"] == f"acme-config-default-{ACCOUNT}"
    key, _ = find(baseline, "aws_kms_key", "config-key/key")
    _, encryption = find(baseline, "aws_s3_bucket_server_side_encryption_configuration", "config-delivery/bucket/encryption")
    default = encryption["rule"][0]["apply_server_side_encryption_by_default"]
    assert default == {"sse_algorithm": "aws:kms", "kms_master_key_id": ref("aws_kms_key", key, "arn")}
    logs, _ = find(baseline, "aws_s3_bucket", "config-delivery/access-logs/bucket")
    _, logging = find(baseline, "aws_s3_bucket_logging", "config-delivery/bucket/access-logging")
    assert logging["target_bucket"] == ref("aws_s3_bucket", logs) and logging["target_prefix"] == "config/"
    _, access = find(baseline, "aws_s3_bucket_public_access_block", "config-delivery/bucket/public-access-block")
    assert all(access[k] is True for k in ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"))


def test_only_config_of_this_account_may_write_the_bucket(baseline):
    _, policy = find(baseline, "aws_s3_bucket_policy", "config-delivery/bucket/policy")
    statements = by_sid(statements_of(baseline, policy["policy"]))
    delivery = statements["ConfigDeliversThisAccountsHistory"]
    assert delivery["principals"] == [{"type": "Service", "identifiers": ["config.amazonaws.com"]}]
    assert conditions(delivery)["aws:SourceAccount"] == ("StringEquals", [ACCOUNT])
    assert delivery["resources"] == [f"arn:{PARTITION}:s3:::acme-config-default-{ACCOUNT}/config/AWSLogs/{ACCOUNT}/Config/*"]


@pytest.mark.parametrize("region", [HOME, OTHER])
def test_managed_rules_mirror_the_platforms_promises_global_ones_once(variants, region):
    stack = variants["baseline-tworegions"]
    rules = {r["name"]: r for r in regional(stack, "aws_config_config_rule", region)}
    expected = {name for name, rule in CONFIG_RULES.items() if region == HOME or not rule.global_resources}
    assert set(rules) == {f"acme-{name}-tworegions" for name in expected}
    assert {r["source"]["owner"] for r in rules.values()} == {"AWS"}
    for promise in ("encrypted-volumes", "rds-storage-encrypted", "s3-bucket-public-read-prohibited", "cloudtrail-enabled"):
        assert rules[f"acme-{promise}-tworegions"]["source"]["source_identifier"] == CONFIG_RULES[promise].identifier
    assert ("acme-root-account-mfa-enabled-tworegions" in rules) is (region == HOME)
    if region == HOME:
        assert json.loads(rules["acme-access-keys-rotated-tworegions"]["input_parameters"]) == {"maxAccessKeyAge": "90"}
        assert json.loads(rules["acme-iam-user-unused-credentials-check-tworegions"]["input_parameters"]) == {"maxCredentialUsageAge": "45"}


# --- IAM -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("region", [HOME, OTHER])
def test_access_analyzer_watches_the_account_in_every_region(variants, region):
    (analyzer,) = regional(variants["baseline-tworegions"], "aws_accessanalyzer_analyzer", region)
    assert analyzer["type"] == "ACCOUNT" and analyzer["analyzer_name"] == f"acme-access-{region}-tworegions"


def test_password_policy_defaults_are_the_cis_values(baseline):
    (policy,) = resources(baseline, "aws_iam_account_password_policy").values()
    assert policy["minimum_password_length"] == 14 and policy["password_reuse_prevention"] == 24
    assert policy["max_password_age"] == 90, "CIS 1.2.0 1.11 and CKV_AWS_9; an account file may raise it"
    for flag in ("require_uppercase_characters", "require_lowercase_characters", "require_numbers", "require_symbols", "allow_users_to_change_password"):
        assert policy[flag] is True, flag


def test_password_policy_takes_the_account_files_values_once(variants):
    (policy,) = resources(variants["baseline-tworegions"], "aws_iam_account_password_policy").values()
    assert (policy["minimum_password_length"], policy["max_password_age"], policy["require_symbols"]) == (20, 90, False)
    assert "provider" not in policy, "account-wide: made once, through the home region"


def test_the_support_role_carries_aws_support_access_for_this_accounts_principals_with_mfa(baseline):
    role_name, role = find(baseline, "aws_iam_role", "support-role/role")
    assert role["name"] == "acme-support-default"
    (trust,) = statements_of(baseline, role["assume_role_policy"])
    assert trust["actions"] == ["sts:AssumeRole"]
    assert trust["principals"] == [{"type": "AWS", "identifiers": [f"arn:{PARTITION}:iam::{ACCOUNT}:root"]}]
    assert conditions(trust) == {"aws:MultiFactorAuthPresent": ("Bool", ["true"])}
    _, attachment = find(baseline, "aws_iam_role_policy_attachment", "support-role/support-access")
    assert attachment["policy_arn"] == f"arn:{PARTITION}:iam::aws:policy/AWSSupportAccess"
    assert attachment["role"] == ref("aws_iam_role", role_name, "name")


def test_the_security_contact_comes_from_the_account_file(baseline, accounts):
    (contact,) = resources(baseline, "aws_account_alternate_contact").values()
    wanted = accounts["default"].security_contact
    assert contact == {**contact, "alternate_contact_type": "SECURITY", "email_address": wanted.email, "name": wanted.name, "phone_number": wanted.phone}


# --- EBS, S3, Inspector --------------------------------------------------------------------------


@pytest.mark.parametrize("region", [HOME, OTHER])
def test_ebs_is_encrypted_by_default_with_the_regions_own_customer_managed_key(variants, region):
    stack = variants["baseline-tworegions"]
    (default,) = regional(stack, "aws_ebs_encryption_by_default", region)
    assert default["enabled"] is True
    (key_setting,) = regional(stack, "aws_ebs_default_kms_key", region)
    key, body = find(stack, "aws_kms_key", f"ebs-encryption-{region}/key/key")
    assert in_region(body, region) and body["enable_key_rotation"] is True
    assert key_setting["key_arn"] == ref("aws_kms_key", key, "arn")


def test_the_account_blocks_public_access_to_every_bucket(baseline):
    (block,) = resources(baseline, "aws_s3_account_public_access_block").values()
    assert all(block[k] is True for k in ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"))


@pytest.mark.parametrize("region", [HOME, OTHER])
def test_inspector_scans_ec2_and_lambda_in_every_region(variants, region):
    (enabler,) = regional(variants["baseline-tworegions"], "aws_inspector2_enabler", region)
    assert sorted(enabler["resource_types"]) == ["EC2", "LAMBDA"] and enabler["account_ids"] == [ACCOUNT]


@pytest.mark.parametrize("region", [HOME, OTHER])
def test_api_gateway_logs_through_one_account_role_set_once_per_region_by_the_baseline(variants, region):
    stack = variants["baseline-tworegions"]
    (setting,) = regional(stack, "aws_api_gateway_account", region)
    role, body = find(stack, "aws_iam_role", "api-gateway-logging/cloudwatch-role/role")
    assert "provider" not in body, "IAM is global: one role"
    assert setting["cloudwatch_role_arn"] == ref("aws_iam_role", role, "arn") and setting["reset_on_delete"] is True


# --- findings ------------------------------------------------------------------------------------


def test_high_severity_security_hub_findings_reach_the_contact_through_an_encrypted_topic(baseline, accounts):
    rule_name, rule = find(baseline, "aws_cloudwatch_event_rule", "findings/rule")
    assert json.loads(rule["event_pattern"]) == SECURITY_HUB_PATTERN
    topic_name, topic = find(baseline, "aws_sns_topic", "findings/topic")
    key, _ = find(baseline, "aws_kms_key", "findings/key/key")
    assert topic["kms_master_key_id"] == ref("aws_kms_key", key, "arn")
    _, target = find(baseline, "aws_cloudwatch_event_target", "findings/to-topic")
    assert target["arn"] == ref("aws_sns_topic", topic_name, "arn") and target["rule"] == ref("aws_cloudwatch_event_rule", rule_name, "name")
    _, subscription = find(baseline, "aws_sns_topic_subscription", "findings/contact")
    assert (subscription["protocol"], subscription["endpoint"]) == ("email", accounts["default"].security_contact.email)
    _, policy = find(baseline, "aws_sns_topic_policy", "findings/policy")
    publish = by_sid(statements_of(baseline, policy["policy"]))["TheFindingsRulePublishes"]
    assert conditions(publish)["aws:SourceArn"] == ("ArnEquals", [f"arn:{PARTITION}:events:{HOME}:{ACCOUNT}:rule/acme-findings-default"])


# --- features off, by name -----------------------------------------------------------------------


def test_an_account_turns_off_only_what_it_names(variants):
    stack = variants["baseline-minimal"]
    for kind in (
        "aws_guardduty_detector", "aws_securityhub_account", "aws_config_configuration_recorder", "aws_config_config_rule",
        "aws_accessanalyzer_analyzer", "aws_inspector2_enabler",
    ):
        assert resources(stack, kind) == {}, kind
    for kind in ("aws_iam_account_password_policy", "aws_s3_account_public_access_block", "aws_ebs_encryption_by_default", "aws_api_gateway_account"):
        assert len(resources(stack, kind)) == 1, f"{kind} is not optional"
    assert sorted(r["name"] for r in resources(stack, "aws_iam_role").values()) == ["acme-api-gateway-logging-minimal", "acme-support-minimal"]
    _, rule = find(stack, "aws_cloudwatch_event_rule", "findings/rule")
    assert json.loads(rule["event_pattern"]) == GUARDDUTY_PATTERN, "without Security Hub, GuardDuty's own findings"


def test_protections_of_a_test_account_reach_the_buckets_and_keys(variants, baseline):
    assert {b["force_destroy"] for b in resources(baseline, "aws_s3_bucket").values()} == {False}
    tworegions = variants["baseline-tworegions"]
    assert {b["force_destroy"] for b in resources(tworegions, "aws_s3_bucket").values()} == {True}
    assert {k["deletion_window_in_days"] for k in resources(tworegions, "aws_kms_key").values()} == {30}
    minimal = variants["baseline-minimal"]
    assert {k["deletion_window_in_days"] for k in resources(minimal, "aws_kms_key").values()} == {7}
