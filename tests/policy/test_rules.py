"""The project's own rules: each passes on a compliant stack and rejects a small stack that breaks it."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from cdktf import App, TerraformStack

from constructs_lib.app import synth_checked
from constructs_lib.context import StackScope
from constructs_lib.endpoint_policies import endpoint_policy
from constructs_lib.iam_documents import policy_document, statement
from constructs_lib.logs import EncryptedLogGroup, EncryptedLogGroupProps
from constructs_lib.permissions_boundary import PermissionsBoundary
from constructs_lib.rules import PolicyGate, PolicyViolations, all_rules, evaluate, placeholder_context, suppress
from constructs_lib.secure_bucket import SecureBucket, SecureBucketProps
from platform_core.naming import ResourceNames
from synth_runtime.provider_bindings import aws

SCOPE = StackScope(names=ResourceNames(project="acme", environment="t"), region="us-east-1", account_id="123456789012", partition="aws")
TAGS = {"Environment": "t", "Application": "a", "CostCenter": "c", "Owner": "o"}


def provider(stack: TerraformStack, tags: dict | None = TAGS) -> None:
    settings = {"region": "us-east-1"}
    if tags is not None:
        settings["default_tags"] = [aws.provider.AwsProviderDefaultTags(tags=tags)]
    aws.provider.AwsProvider(stack, "aws", **settings)


def synth(tmp_path: Path, build: Callable[[TerraformStack], None], *, tags: dict | None = TAGS) -> PolicyGate:
    app = App(outdir=str(tmp_path / "out"))
    stack = TerraformStack(app, "t")
    provider(stack, tags)
    build(stack)
    app.synth()
    gate = PolicyGate("t")
    gate.check(tmp_path / "out")
    return gate


def role(stack, policy_json):
    trust = policy_document(stack, "trust", [statement("Trust", actions=["sts:AssumeRole"], principals={"Service": ["ec2.amazonaws.com"]})])
    r = aws.iam_role.IamRole(stack, "role", name="r", assume_role_policy=trust)
    aws.iam_role_policy.IamRolePolicy(stack, "inline", role=r.id, policy=policy_json)


def bounded_role(boundary_statements=None):
    """A role with the platform's boundary (or, given statements, with a boundary policy made of them)."""

    def build(stack):
        if boundary_statements is None:
            arn = PermissionsBoundary(stack, "boundary", SCOPE).arn
        else:
            arn = aws.iam_policy.IamPolicy(stack, "boundary", name="b", policy=policy_document(stack, "boundary-document", boundary_statements)).arn
        trust = policy_document(stack, "trust", [statement("Trust", actions=["sts:AssumeRole"], principals={"Service": ["ec2.amazonaws.com"]})])
        aws.iam_role.IamRole(stack, "role", name="r", assume_role_policy=trust, permissions_boundary=arn)

    return build


def unbounded_role(stack):
    trust = policy_document(stack, "trust", [statement("Trust", actions=["sts:AssumeRole"], principals={"Service": ["ec2.amazonaws.com"]})])
    aws.iam_role.IamRole(stack, "role", name="r", assume_role_policy=trust)


def iam_policy(actions, resources):
    return lambda stack: role(stack, policy_document(stack, "permissions", [statement("Grant", actions=actions, resources=resources)]))


def vpc(stack):
    return aws.vpc.Vpc(stack, "vpc", cidr_block="10.0.0.0/16")


def ingress(cidr):
    def build(stack):
        group = aws.security_group.SecurityGroup(stack, "group", name="g", description="d", vpc_id=vpc(stack).id)
        aws.vpc_security_group_ingress_rule.VpcSecurityGroupIngressRule(
            stack, "rule", security_group_id=group.id, ip_protocol="tcp", from_port=443, to_port=443, cidr_ipv4=cidr, description="d"
        )

    return build


def key(stack):
    return aws.kms_key.KmsKey(stack, "key", enable_key_rotation=True)


def log_group(**settings):
    return lambda stack: aws.cloudwatch_log_group.CloudwatchLogGroup(stack, "group", name="/g", **settings)


def database(**settings):
    def build(stack):
        aws.db_instance.DbInstance(
            stack, "db", identifier="d", engine="mysql", instance_class="db.t4g.medium", allocated_storage=20,
            username="u", manage_master_user_password=True, **settings,
        )

    return build


def template(tokens):
    return lambda stack: aws.launch_template.LaunchTemplate(
        stack, "template", name="t", metadata_options=aws.launch_template.LaunchTemplateMetadataOptions(http_tokens=tokens)
    )


def plain_bucket(stack):
    aws.s3_bucket.S3Bucket(stack, "bucket", bucket="plain-bucket")


def secure_bucket(stack):
    SecureBucket(stack, "secure", SecureBucketProps(bucket_name="secure-bucket", kms_key_arn=key(stack).arn))


def user_with_password(stack):
    aws.iam_user_login_profile.IamUserLoginProfile(stack, "login", user="u", pgp_key="keybase:someone")
    aws.db_instance.DbInstance(
        stack, "db", identifier="d", engine="mysql", instance_class="db.t4g.medium", allocated_storage=20,
        username="u", password="hunter2hunter2", storage_encrypted=True, publicly_accessible=False,  # noqa: S106 - the literal the rule must catch
    )


def endpoint(policy: Callable | None):
    """An S3 gateway endpoint whose policy ``policy(stack)`` renders (None: no policy)."""

    def build(stack):
        aws.vpc_endpoint.VpcEndpoint(
            stack, "endpoint", vpc_id=vpc(stack).id, service_name="com.amazonaws.us-east-1.s3", policy=policy(stack) if policy else None
        )

    return build


THIS_ACCOUNT_SCOPE = dataclasses.replace(SCOPE, account_id="${data.aws_caller_identity.current.account_id}")
"""The scope as a stack sees its own account: VPC001 holds endpoint policies to that reference."""


def endpoint_statement(sid, **settings):
    return lambda stack: policy_document(stack, "endpoint-policy", [statement(sid, principals={"AWS": ["*"]}, **settings)])


def open_to_any_account(stack):
    return policy_document(stack, "endpoint-policy", [statement("Anyone", actions=["s3:*"], resources=["*"], principals={"AWS": ["*"]})])


def hand_written_policy(stack):
    role(stack, '{"Version": "2012-10-17", "Statement": []}')


@dataclass(frozen=True)
class Case:
    rule: str
    breaking: Callable
    compliant: Callable
    path: str
    reason: str
    tags: dict | None = None


CASES = [
    Case("IAM001", iam_policy(["*"], ["arn:aws:s3:::b"]), iam_policy(["s3:GetObject"], ["arn:aws:s3:::b/*"]), "t/permissions", "allows every action"),
    Case("IAM001", iam_policy(["s3:*"], ["arn:aws:s3:::b"]), iam_policy(["s3:GetObject"], ["arn:aws:s3:::b/*"]), "t/permissions", "allows every action of s3:*"),
    Case("IAM001", iam_policy(["s3:GetObject"], ["*"]), iam_policy(["iam:GetAccountPasswordPolicy"], ["*"]), "t/permissions", "allows s3:GetObject on every resource"),
    Case("IAM003", unbounded_role, bounded_role(), "t/role", "has no permissions boundary"),
    Case("IAM003", bounded_role([statement("Everything", actions=["*"], resources=["*"])]), bounded_role(), "t/role", "its permissions boundary does not deny iam:AttachRolePolicy"),
    Case("IAM001", lambda stack: role(stack, policy_document(stack, "permissions", [statement("Grant", not_actions=["iam:*"], resources=["arn:aws:s3:::b"])])), iam_policy(["s3:GetObject"], ["arn:aws:s3:::b/*"]), "t/permissions", "allows every action but iam:* (not_actions)"),
    Case("IAM002", hand_written_policy, iam_policy(["s3:GetObject"], ["arn:aws:s3:::b/*"]), "t/inline", "policy is not rendered by an aws_iam_policy_document"),
    Case("NET001", ingress("0.0.0.0/0"), ingress("203.0.113.0/24"), "t/rule", "cidr_ipv4 = 0.0.0.0/0"),
    Case("S3001", plain_bucket, secure_bucket, "t/bucket", "has no public-access block with all four settings on"),
    Case("LOG001", log_group(retention_in_days=30), log_group(retention_in_days=30, kms_key_id="arn:aws:kms:us-east-1:1:key/k"), "t/group", "has no kms_key_id"),
    Case("LOG001", log_group(kms_key_id="arn:aws:kms:us-east-1:1:key/k"), log_group(retention_in_days=30, kms_key_id="arn:aws:kms:us-east-1:1:key/k"), "t/group", "has no retention_in_days"),
    Case("RDS001", database(publicly_accessible=True, storage_encrypted=True), database(publicly_accessible=False, storage_encrypted=True), "t/db", "not explicitly private"),
    Case("RDS001", database(publicly_accessible=False), database(publicly_accessible=False, storage_encrypted=True), "t/db", "storage is not encrypted"),
    Case("EC2001", template("optional"), template("required"), "t/template", "does not require IMDSv2"),
    Case("TAG001", lambda s: key(s), lambda s: key(s), "t/key", "is missing the tags CostCenter, Owner", tags={"Environment": "t", "Application": "a"}),
    Case("VPC001", endpoint(None), endpoint(lambda stack: endpoint_policy(stack, "endpoint-policy", THIS_ACCOUNT_SCOPE, "s3")), "t/endpoint", "has no policy"),
    Case("VPC001", endpoint(open_to_any_account), endpoint(lambda stack: endpoint_policy(stack, "endpoint-policy", THIS_ACCOUNT_SCOPE, "sts")), "t/endpoint", "statement Anyone of its policy lets principals of other accounts through"),
    Case("VPC001", endpoint(endpoint_statement("Other", actions=["s3:*"], resources=["*"], conditions=[("StringEquals", "aws:PrincipalAccount", ["999999999999"])])), endpoint(lambda stack: endpoint_policy(stack, "endpoint-policy", THIS_ACCOUNT_SCOPE, "s3")), "t/endpoint", "statement Other of its policy lets principals of other accounts through"),
    Case("VPC001", endpoint(endpoint_statement("Exfiltrate", actions=["s3:PutObject"], resources=["arn:aws:s3:::attacker-exfil/*"])), endpoint(lambda stack: endpoint_policy(stack, "endpoint-policy", THIS_ACCOUNT_SCOPE, "s3")), "t/endpoint", "reaches buckets that are not the named AWS-owned ones"),
    Case("VPC001", endpoint(endpoint_statement("Except", not_actions=["s3:DeleteObject"], resources=["*"], conditions=[("StringEquals", "aws:PrincipalAccount", ["${data.aws_caller_identity.current.account_id}"])])), endpoint(lambda stack: endpoint_policy(stack, "endpoint-policy", THIS_ACCOUNT_SCOPE, "s3")), "t/endpoint", "allows by exclusion"),
    Case("IAM002", endpoint(lambda stack: '{"Statement": []}'), endpoint(lambda stack: endpoint_policy(stack, "endpoint-policy", THIS_ACCOUNT_SCOPE, "kms")), "t/endpoint", "policy is not rendered by an aws_iam_policy_document"),
    Case("SEC001", user_with_password, database(publicly_accessible=False, storage_encrypted=True), "t/db", "password holds a literal value"),
]


def test_every_rule_has_an_id_a_description_a_fix_and_cases():
    rules = all_rules()
    assert len({r.id for r in rules}) == len(rules)
    for rule in rules:
        assert rule.id and rule.description and rule.fix
    assert {c.rule for c in CASES} == {r.id for r in rules}


@pytest.mark.parametrize("case", CASES, ids=[f"{c.rule}-{i}" for i, c in enumerate(CASES)])
def test_a_stack_that_breaks_the_rule_is_rejected(tmp_path, case):
    gate = synth(tmp_path, case.breaking, tags=case.tags or TAGS)
    mine = [v for v in gate.violations if v.rule_id == case.rule]
    assert any(v.path == case.path and case.reason in v.reason for v in mine), [str(v) for v in gate.violations]
    rule = next(r for r in all_rules() if r.id == case.rule)
    assert all(str(v).endswith(f"Fix: {rule.fix}") for v in mine)


@pytest.mark.parametrize("case", CASES, ids=[f"{c.rule}-{i}" for i, c in enumerate(CASES)])
def test_the_compliant_stack_passes_the_rule(tmp_path, case):
    gate = synth(tmp_path, case.compliant, tags=TAGS)
    assert [str(v) for v in gate.violations if v.rule_id == case.rule] == []


def test_every_shipped_environment_passes_every_rule(stacks, emulator_stacks, environment):
    assert evaluate(stacks[environment], context=placeholder_context(False)) == []
    assert evaluate(emulator_stacks[environment], context=placeholder_context(True)) == []


def test_the_emulator_placeholder_credentials_are_secrets_on_aws(emulator_stacks):
    found = evaluate(emulator_stacks["dev"], context=placeholder_context(False))
    assert {v.rule_id for v in found} == {"SEC001"} and any("secret_key" in v.reason for v in found)


def test_a_suppression_covers_one_resource_with_its_reason(tmp_path):
    kept = []

    def two_open_rules(stack):
        group = aws.security_group.SecurityGroup(stack, "group", name="g", description="d", vpc_id=vpc(stack).id)
        accepted = aws.vpc_security_group_ingress_rule.VpcSecurityGroupIngressRule(
            stack, "accepted", security_group_id=group.id, ip_protocol="tcp", from_port=443, to_port=443, cidr_ipv4="0.0.0.0/0", description="d"
        )
        aws.vpc_security_group_ingress_rule.VpcSecurityGroupIngressRule(
            stack, "other", security_group_id=group.id, ip_protocol="tcp", from_port=80, to_port=80, cidr_ipv4="0.0.0.0/0", description="d"
        )
        suppress(accepted, "NET001", "Public HTTPS endpoint behind a WAF, by design")
        kept.append(accepted)

    gate = synth(tmp_path, two_open_rules)
    assert [v.path for v in gate.violations] == ["t/other"]
    (body,) = kept[0].to_terraform()["resource"]["aws_vpc_security_group_ingress_rule"].values()
    assert body["//"]["policy_suppressions"] == {"NET001": "Public HTTPS endpoint behind a WAF, by design"}


def test_suppress_refuses_unknown_rules_and_missing_reasons(tmp_path):
    app = App(outdir=str(tmp_path))
    stack = TerraformStack(app, "t")
    provider(stack)
    group = EncryptedLogGroup(stack, "g", EncryptedLogGroupProps(name="/g", retention_days=30, kms_key_arn="k")).log_group
    with pytest.raises(ValueError, match="is not a rule"):
        suppress(group, "XYZ999", "because")
    with pytest.raises(ValueError, match="one-line reason"):
        suppress(group, "LOG001", "  ")


def test_synth_refuses_and_writes_nothing_when_a_rule_is_broken(tmp_path):
    staging, final = tmp_path / "staging", tmp_path / "cdktf.out"
    final.mkdir()
    (final / "sentinel").write_text("before")
    app = App(outdir=str(staging))
    stack = TerraformStack(app, "t")
    provider(stack)
    plain_bucket(stack)
    gate = PolicyGate("t")
    with pytest.raises(PolicyViolations) as refusal:
        synth_checked(app, [gate], staging, final)
    assert "t/bucket: S3001: has no public-access block with all four settings on. Fix: create buckets with constructs_lib.secure_bucket.SecureBucket, which always sets" in str(refusal.value)
    assert sorted(p.name for p in final.iterdir()) == ["sentinel"]


def test_synth_lists_the_violations_of_every_stack(tmp_path):
    staging, final = tmp_path / "staging", tmp_path / "cdktf.out"
    app = App(outdir=str(staging))
    gates = []
    for name in ("first", "second", "third"):
        stack = TerraformStack(app, name)
        provider(stack)
        plain_bucket(stack)
        gates.append(PolicyGate(name))
    with pytest.raises(PolicyViolations) as refusal:
        synth_checked(app, gates, staging, final)
    assert {line.split("/")[0] for line in str(refusal.value).splitlines()} == {"first", "second", "third"}
    assert not final.exists()


def test_every_shipped_account_baseline_passes_every_rule(baseline_stacks):
    for baseline in baseline_stacks.values():
        assert evaluate(baseline, context=placeholder_context(False)) == []


def test_the_gate_guards_a_baseline_stack_as_it_guards_an_environment(tmp_path, accounts):
    """The project's rules apply to the baseline: a plain bucket added to it refuses the synth."""
    from constructs_lib.app import synth_checked
    from constructs_lib.baseline.stack import BaselineStack
    from platform_core.target import DeployTarget

    staging, final = tmp_path / "staging", tmp_path / "cdktf.out"
    app = App(outdir=str(staging))
    stack = BaselineStack(app, accounts["default"], DeployTarget(kind="aws"))
    plain_bucket(stack)
    with pytest.raises(PolicyViolations) as refusal:
        synth_checked(app, [stack.policy_gate], staging, final)
    assert "baseline-default/bucket: S3001" in str(refusal.value)
    assert not final.exists()


def test_a_permissions_boundarys_allow_all_is_no_iam001_finding_but_the_same_statement_elsewhere_is(tmp_path):
    """A boundary only caps what a role's own policies grant; the same Allow * in a role's own policy is a finding."""
    (tmp_path / "bounded").mkdir()
    (tmp_path / "granted").mkdir()
    gate = synth(tmp_path / "bounded", bounded_role())
    assert [str(v) for v in gate.violations if v.rule_id in ("IAM001", "IAM003")] == []
    granted = synth(tmp_path / "granted", iam_policy(["*"], ["*"]))
    assert any(v.rule_id == "IAM001" and "allows every action" in v.reason for v in granted.violations)


def test_an_endpoint_policys_service_wide_allow_is_no_iam001_finding_but_the_same_statement_in_a_role_is(tmp_path):
    """An endpoint policy caps what passes through the endpoint, as a boundary caps a role: VPC001 judges it, not IAM001."""
    (tmp_path / "endpoint").mkdir()
    (tmp_path / "granted").mkdir()
    capped = synth(tmp_path / "endpoint", endpoint(lambda stack: endpoint_policy(stack, "endpoint-policy", THIS_ACCOUNT_SCOPE, "s3")))
    assert [str(v) for v in capped.violations if v.rule_id in ("IAM001", "VPC001")] == []
    granted = synth(tmp_path / "granted", iam_policy(["s3:*"], ["*"]))
    assert {v.rule_id for v in granted.violations} >= {"IAM001"}
