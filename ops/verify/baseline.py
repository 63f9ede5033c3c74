"""Account baseline checks: each control is on, in every covered region, and configured as the account file says.

They read the account through each service's own API (never the baseline's state):
GuardDuty's detector and features, Security Hub's enabled standards, Config's recorder,
its status and delivery channel, the IAM password policy, EBS default encryption and its
key, the account's S3 public-access block, Inspector's account status, Access Analyzer,
the support role and the findings topic.
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Iterator

from environments.account_schema import AccountConfig
from ops.verify import CheckFailed, CheckResult, EmulatorGap, VerifyContext, buckets, expect, run_checks
from ops.verify import state as state_checks
from platform_core.account_controls import (
    CONFIG_RULES,
    INSPECTOR_RESOURCE_TYPES,
    SECURITY_HUB_STANDARDS,
    SUPPORT_POLICY,
    guardduty_features,
    standard_arn,
)
from platform_core.delivery import (
    APPLY,
    AUDIENCE_KEY,
    DELIVERY_BOUNDARY_PURPOSE,
    GITHUB_OIDC_HOST,
    OIDC_AUDIENCE,
    PLAN,
    SUBJECT_KEY,
    delivery_role_name,
    trusted_subjects,
)
from platform_core.target import DeployTarget


class BaselineContext(VerifyContext):
    """A :class:`VerifyContext` that also reaches the account's other covered regions."""

    config: AccountConfig

    def regional(self, service: str, region: str):
        key = f"{service}@{region}"
        if key not in self._clients:
            from ops.aws_clients import AwsClients, deploy_role

            self._clients[key] = AwsClients(self.target, region, deploy_role(self.config)).client(service)
        return self._clients[key]

    def regions(self, service: str) -> Iterator[tuple[str, object]]:
        for region in self.config.covered_regions:
            yield region, self.regional(service, region)


def _features(ctx: BaselineContext):
    return ctx.config.features


def guardduty_detects_with_its_features(ctx: BaselineContext) -> str:
    for region, guardduty in ctx.regions("guardduty"):
        ids = guardduty.list_detectors()["DetectorIds"]
        expect(len(ids) == 1, f"{region}: {len(ids)} GuardDuty detectors")
        detector = guardduty.get_detector(DetectorId=ids[0])
        expect(detector["Status"] == "ENABLED", f"{region}: the detector is {detector['Status']}")
        expect(detector.get("FindingPublishingFrequency") == "FIFTEEN_MINUTES", f"{region}: findings published every {detector.get('FindingPublishingFrequency')}")
        enabled = {f["Name"] for f in detector.get("Features", []) if f.get("Status") == "ENABLED"}
        features = _features(ctx)
        missing = set(guardduty_features(features.guardduty_malware_protection, features.guardduty_runtime_monitoring)) - enabled
        expect(not missing, f"{region}: features not enabled: {sorted(missing)}")
    return f"{len(ctx.config.covered_regions)} region(s)"


def security_hub_runs_both_standards(ctx: BaselineContext) -> str:
    for region, hub in ctx.regions("securityhub"):
        hub.describe_hub()
        enabled = {s["StandardsArn"] for s in hub.get_enabled_standards()["StandardsSubscriptions"] if s.get("StandardsStatus") in ("READY", "PENDING", None)}
        wanted = {standard_arn("aws", region, path) for path in SECURITY_HUB_STANDARDS.values()}
        expect(wanted <= enabled, f"{region}: standards enabled {sorted(enabled)}, expected {sorted(wanted)}")
    return ", ".join(SECURITY_HUB_STANDARDS)


def config_records_everything(ctx: BaselineContext) -> str:
    bucket, key = ctx.names.bucket_name("config", ctx.account_id), ctx.key_arn("config")
    for region, config in ctx.regions("config"):
        home = region == ctx.config.home_region
        recorders = config.describe_configuration_recorders()["ConfigurationRecorders"]
        expect(len(recorders) == 1, f"{region}: {len(recorders)} recorders")
        group = recorders[0]["recordingGroup"]
        expect(group.get("allSupported") is True, f"{region}: the recorder does not record every supported resource")
        expect(group.get("includeGlobalResourceTypes") is home, f"{region}: global resources recorded: {group.get('includeGlobalResourceTypes')} (home region only)")
        (status,) = config.describe_configuration_recorder_status()["ConfigurationRecordersStatus"]
        expect(status.get("recording") is True, f"{region}: the recorder is not recording")
        (channel,) = config.describe_delivery_channels()["DeliveryChannels"]
        expect(channel["s3BucketName"] == bucket, f"{region}: delivers to {channel['s3BucketName']}, not {bucket}")
        expect(channel.get("s3KmsKeyArn") == key, f"{region}: delivery is encrypted with {channel.get('s3KmsKeyArn')}, not the config key")
        names = {rule["ConfigRuleName"] for rule in config.describe_config_rules()["ConfigRules"]}
        wanted = {ctx.names.name(name) for name, rule in CONFIG_RULES.items() if home or not rule.global_resources}
        expect(wanted <= names, f"{region}: rules missing: {sorted(wanted - names)}")
    return f"into s3://{bucket}"


def config_bucket_is_protected(ctx: BaselineContext) -> None:
    s3 = ctx.client("s3")
    for purpose in ("config", "config-logs"):
        bucket = ctx.names.bucket_name(purpose, ctx.account_id)
        buckets.versioned(s3, bucket)
        buckets.public_access_blocked(s3, bucket)
        buckets.tls_only(s3, bucket)
        key = buckets.kms_encryption(s3, bucket)
        expected = ctx.key_arn("config")
        expect(key in (expected, expected.rsplit("/", 1)[-1]), f"{bucket} uses {key}, expected the config key")


def password_policy_as_configured(ctx: BaselineContext) -> str:
    policy = ctx.client("iam").get_account_password_policy()["PasswordPolicy"]
    wanted = ctx.config.password_policy
    expected = {
        "MinimumPasswordLength": wanted.minimum_length,
        "PasswordReusePrevention": wanted.reuse_prevention,
        "RequireUppercaseCharacters": wanted.require_uppercase,
        "RequireLowercaseCharacters": wanted.require_lowercase,
        "RequireNumbers": wanted.require_numbers,
        "RequireSymbols": wanted.require_symbols,
        "AllowUsersToChangePassword": True,
    }
    if wanted.max_age_days is not None:
        expected["MaxPasswordAge"] = wanted.max_age_days
    wrong = {name: (policy.get(name), value) for name, value in expected.items() if policy.get(name) != value}
    expect(not wrong, f"password policy differs (found, expected): {wrong}")
    return f"length {wanted.minimum_length}, reuse {wanted.reuse_prevention}"


def ebs_encrypted_by_default_with_the_key(ctx: BaselineContext) -> None:
    for region, ec2 in ctx.regions("ec2"):
        expect(ec2.get_ebs_encryption_by_default()["EbsEncryptionByDefault"] is True, f"{region}: EBS encryption by default is off")
        key = ec2.get_ebs_default_kms_key_id()["KmsKeyId"]
        expected = _key_arn_in(ctx, region, "ebs")
        expect(key == expected, f"{region}: the default EBS key is {key}, not {expected}")


def _key_arn_in(ctx: BaselineContext, region: str, purpose: str) -> str:
    kms = ctx.regional("kms", region)
    alias = f"alias/{ctx.names.name(purpose)}"
    for page in kms.get_paginator("list_aliases").paginate():
        for entry in page["Aliases"]:
            if entry["AliasName"] == alias and entry.get("TargetKeyId"):
                return kms.describe_key(KeyId=entry["TargetKeyId"])["KeyMetadata"]["Arn"]
    raise CheckFailed(f"{region}: no key behind {alias}")


def account_public_access_blocked(ctx: BaselineContext) -> None:
    block = ctx.client("s3control").get_public_access_block(AccountId=ctx.account_id)["PublicAccessBlockConfiguration"]
    off = [name for name in ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets") if block.get(name) is not True]
    expect(not off, f"the account's public-access block leaves off {off}")


def inspector_scans(ctx: BaselineContext) -> str:
    for region, inspector in ctx.regions("inspector2"):
        (account,) = inspector.batch_get_account_status(accountIds=[ctx.account_id])["accounts"]
        states = account.get("resourceState", {})
        for resource in INSPECTOR_RESOURCE_TYPES:
            status = states.get(resource.lower(), {}).get("status")
            expect(status == "ENABLED", f"{region}: Inspector scanning of {resource} is {status}")
    return ", ".join(INSPECTOR_RESOURCE_TYPES)


def access_analyzer_watches_the_account(ctx: BaselineContext) -> None:
    if ctx.target.is_emulator:
        raise EmulatorGap("moto 5.2.5 has no IAM Access Analyzer; the project's stand-in (ops/emulator_access_analyzer.py) would only check itself")
    for region, analyzer in ctx.regions("accessanalyzer"):
        analyzers = analyzer.list_analyzers(type="ACCOUNT")["analyzers"]
        active = [a for a in analyzers if a["name"] == ctx.names.name(f"access-{region}") and a["status"] == "ACTIVE"]
        expect(len(active) == 1, f"{region}: analyzers {[(a['name'], a['status']) for a in analyzers]}")


def support_role_needs_mfa(ctx: BaselineContext) -> None:
    iam = ctx.client("iam")
    name = ctx.names.name("support")
    role = iam.get_role(RoleName=name)["Role"]
    trust = role["AssumeRolePolicyDocument"]
    trust = json.loads(urllib.parse.unquote(trust)) if isinstance(trust, str) else trust
    root = f"arn:aws:iam::{ctx.account_id}:root"
    for item in trust["Statement"]:
        expect(item["Principal"].get("AWS") in (root, [root]), f"{name} trusts {item['Principal']}")
        expect(item.get("Condition", {}).get("Bool", {}).get("aws:MultiFactorAuthPresent") == "true", f"{name} is assumable without MFA")
    attached = [p["PolicyName"] for p in iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]]
    expect(attached == [SUPPORT_POLICY], f"{name} carries {attached}")


def security_contact_is_set(ctx: BaselineContext) -> None:
    contact = ctx.client("account").get_alternate_contact(AlternateContactType="SECURITY")["AlternateContact"]
    expect(contact.get("EmailAddress") == ctx.config.security_contact.email, f"the security contact is {contact.get('EmailAddress')}")


def findings_reach_the_contact(ctx: BaselineContext) -> str:
    name = ctx.names.name("findings")
    targets = ctx.client("events").list_targets_by_rule(Rule=name)["Targets"]
    topic = f"arn:aws:sns:{ctx.config.home_region}:{ctx.account_id}:{name}"
    expect([t["Arn"] for t in targets] == [topic], f"rule {name} targets {[t['Arn'] for t in targets]}")
    attributes = ctx.client("sns").get_topic_attributes(TopicArn=topic)["Attributes"]
    expect(attributes.get("KmsMasterKeyId") == ctx.key_arn("findings"), f"{name} is encrypted with {attributes.get('KmsMasterKeyId')}")
    subscribed = [s["Endpoint"] for s in ctx.client("sns").list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]]
    expect(ctx.config.security_contact.email in subscribed, f"{name} subscribers: {subscribed}")
    return f"{name} -> {ctx.config.security_contact.email}"


def _document(value) -> dict:
    return json.loads(urllib.parse.unquote(value)) if isinstance(value, str) else value


def delivery_roles_trust_only_the_repository(ctx: BaselineContext) -> str:
    """The deployed trust of every GitHub Actions role: the account's GitHub identity provider, the audience pinned,
    exactly the repository's subjects for the stack and kind, and the delivery boundary."""
    from environments import load_environments

    delivery = ctx.config.delivery
    assert delivery is not None
    iam = ctx.client("iam")
    providers = [p["Arn"] for p in iam.list_open_id_connect_providers()["OpenIDConnectProviderList"] if p["Arn"].endswith(f"/{GITHUB_OIDC_HOST}")]
    expect(len(providers) == 1, f"GitHub identity providers: {providers}")
    audiences = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=providers[0])["ClientIDList"]
    expect(audiences == [OIDC_AUDIENCE], f"the GitHub identity provider accepts audiences {audiences}")
    boundary = f"arn:aws:iam::{ctx.account_id}:policy/{ctx.names.name(DELIVERY_BOUNDARY_PURPOSE)}"
    stacks = [ctx.config.stack_name, *(e.name for e in load_environments() if e.account == ctx.config.name)]
    checked = 0
    for stack in stacks:
        for kind in (PLAN,) if stack == ctx.config.stack_name else (PLAN, APPLY):
            name = delivery_role_name(ctx.config.project, stack, kind)
            role = iam.get_role(RoleName=name)["Role"]
            expect(role.get("PermissionsBoundary", {}).get("PermissionsBoundaryArn") == boundary, f"{name} has the boundary {role.get('PermissionsBoundary')}")
            for item in _document(role["AssumeRolePolicyDocument"])["Statement"]:
                condition = item.get("Condition", {}).get("StringEquals", {})
                expect(item["Principal"] == {"Federated": providers[0]}, f"{name} trusts {item['Principal']}")
                expect(condition.get(AUDIENCE_KEY) in (OIDC_AUDIENCE, [OIDC_AUDIENCE]), f"{name}: audience {condition.get(AUDIENCE_KEY)}")
                subjects = condition.get(SUBJECT_KEY)
                subjects = [subjects] if isinstance(subjects, str) else subjects
                expected = trusted_subjects(delivery.github_repository, stack, kind)
                expect(sorted(subjects or []) == sorted(expected), f"{name} trusts the subjects {subjects}, not {expected}")
                expect(set(item.get("Condition", {})) == {"StringEquals"}, f"{name} has other conditions: {item.get('Condition')}")
            checked += 1
    return f"{checked} roles of {delivery.github_repository}"


def baseline_checks(account: AccountConfig) -> list:
    features = account.features
    checks = [
        *state_checks.CHECKS,
        ("baseline", "IAM password policy as the account file says (CIS 1.8, 1.9)", password_policy_as_configured),
        ("baseline", "account-level S3 public-access block, all four settings (CIS 2.1.4)", account_public_access_blocked),
        ("baseline", "EBS encryption by default, with the account's key, in every region (CIS 2.2.1)", ebs_encrypted_by_default_with_the_key),
        ("baseline", "support role: AWSSupportAccess, this account's principals with MFA only (CIS 1.17)", support_role_needs_mfa),
        ("baseline", "security alternate contact (CIS 1.2)", security_contact_is_set),
        ("baseline", "high-severity findings reach the security contact, encrypted", findings_reach_the_contact),
    ]
    if features.guardduty:
        checks.append(("baseline", "GuardDuty detector and its protection features in every region", guardduty_detects_with_its_features))
    if features.security_hub:
        checks.append(("baseline", "Security Hub runs the CIS and AWS Foundational standards in every region", security_hub_runs_both_standards))
    if features.config:
        checks.append(("baseline", "AWS Config records every resource, delivers encrypted, runs its rules (CIS 3.3)", config_records_everything))
        checks.append(("baseline", "the Config buckets are versioned, private, TLS-only and KMS-encrypted", config_bucket_is_protected))
    if features.inspector:
        checks.append(("baseline", "Inspector scans EC2 and Lambda in every region", inspector_scans))
    if features.access_analyzer:
        checks.append(("baseline", "IAM Access Analyzer for the account in every region (CIS 1.20)", access_analyzer_watches_the_account))
    if account.delivery is not None:
        checks.append((
            "baseline", "GitHub Actions roles: trusted by the account's GitHub provider for the repository's subjects only, audience pinned, bounded",
            delivery_roles_trust_only_the_repository,
        ))
    return checks


def verify_baseline(account: AccountConfig, target: DeployTarget) -> list[CheckResult]:
    return run_checks(BaselineContext(account, target), baseline_checks(account))
