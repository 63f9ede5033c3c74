"""Identity: documents from the data source only, least privilege, tagged roles, MFA enforcement."""

from __future__ import annotations

import json
import re

import pytest

from platform_core.privilege_guard import IAM_WRITE_ACTIONS
from tests.synth import (
    by_sid,
    conditions,
    construct_path,
    data_sources,
    document_name_of,
    find,
    ref,
    resources,
    statements_of,
)

POLICY_ATTRIBUTES = {
    "aws_iam_role": "assume_role_policy",
    "aws_iam_role_policy": "policy",
    "aws_iam_policy": "policy",
    "aws_kms_key": "policy",
    "aws_s3_bucket_policy": "policy",
    "aws_sns_topic_policy": "policy",
    "aws_vpc_endpoint": "policy",
}
KMS_ROOT_SID = "AccountRootAdministersKeyAndDelegatesToIam"
ACCOUNT = "${data.aws_caller_identity.current-account.account_id}"
PARTITION = "${data.aws_partition.current-partition.partition}"
# Actions that AWS does not let a policy scope to a resource.
RESOURCE_LESS_ACTIONS = {"iam:GetAccountPasswordPolicy", "iam:ListVirtualMFADevices", "logs:DescribeLogGroups"}


def test_every_policy_comes_from_an_aws_iam_policy_document(stacks, environment):
    stack = stacks[environment]
    for resource_type, attribute in POLICY_ATTRIBUTES.items():
        for name, body in resources(stack, resource_type).items():
            assert re.fullmatch(r"\$\{data\.aws_iam_policy_document\.[^.]+\.json\}", body[attribute]), (resource_type, name)


BOUNDARY_DOCUMENT = "permissions-boundary_document"
"""The boundary's document: its one Allow caps what the roles' own policies grant, and grants nothing itself."""


def all_statements(stack):
    """Every statement of every document that grants (the permissions boundary's and the endpoint policies, which
    cap, aside: tests/unit/test_endpoint_policies.py holds those to the account)."""
    endpoint_policies = {document_name_of(e["policy"]) for e in resources(stack, "aws_vpc_endpoint").values()}
    for name, document in data_sources(stack, "aws_iam_policy_document").items():
        if name.startswith(BOUNDARY_DOCUMENT) or name in endpoint_policies:
            continue
        for statement in document["statement"]:
            yield name, statement


def test_no_statement_allows_a_wildcard_action(stacks, environment):
    for document, statement in all_statements(stacks[environment]):
        if statement["effect"] != "Allow":
            continue
        for action in statement.get("actions", []):
            assert action != "*", (document, statement["sid"])
            if action.endswith(":*"):
                assert statement["sid"] == KMS_ROOT_SID and "key-policy" in document, (document, statement["sid"], action)


def test_no_statement_allows_every_resource_where_resources_can_be_named(stacks, environment):
    for document, statement in all_statements(stacks[environment]):
        if statement["effect"] != "Allow" or "resources" not in statement or "*" not in statement["resources"]:
            continue
        in_key_policy = "key-policy" in document  # in a key policy "*" means "this key"
        assert in_key_policy or set(statement["actions"]) <= RESOURCE_LESS_ACTIONS, (document, statement["sid"])


def test_roles_carry_the_standard_tags_and_an_inline_least_privilege_policy(stacks, configs, environment):
    stack = stacks[environment]
    (provider,) = stack["provider"]["aws"]
    assert provider["default_tags"] == [{"tags": configs[environment].resource_tags}], "every role inherits them"
    roles = resources(stack, "aws_iam_role")
    assert len(roles) >= 2
    for name, role in roles.items():
        assert set(role["tags"]) == {"Name", "Purpose"}, name
        assert not set(role["tags"]) & set(configs[environment].resource_tags), "must not override a standard tag"
    inline = {body["role"] for body in resources(stack, "aws_iam_role_policy").values()}
    managed = {body["role"] for body in resources(stack, "aws_iam_role_policy_attachment").values()}
    for name in roles:
        assert ref("aws_iam_role", name) in inline or ref("aws_iam_role", name, "name") in managed, f"{name} grants nothing"


def test_mfa_enforcement_policy_and_its_group(stacks, environment):
    stack = stacks[environment]
    policy_name, policy = find(stack, "aws_iam_policy", "mfa/require-mfa")
    group_name, group = find(stack, "aws_iam_group", "mfa/operators")
    _, attachment = find(stack, "aws_iam_group_policy_attachment", "mfa/operators-require-mfa")
    assert policy["name"] == f"acme-require-mfa-{environment}" and group["name"] == f"acme-operators-{environment}"
    assert attachment == {**attachment, "group": ref("aws_iam_group", group_name, "name"), "policy_arn": ref("aws_iam_policy", policy_name, "arn")}
    statements = by_sid(statements_of(stack, policy["policy"]))
    deny = statements["DenyEverythingElseWithoutMfa"]
    assert deny["effect"] == "Deny" and deny["resources"] == ["*"]
    assert "sts:GetSessionToken" in deny["not_actions"] and "iam:EnableMFADevice" in deny["not_actions"]
    assert conditions(deny) == {"aws:MultiFactorAuthPresent": ("BoolIfExists", ["false"])}
    assert statements["ManageOwnPasswordAndMfa"]["resources"] == [
        "arn:${data.aws_partition.current-partition.partition}:iam::${data.aws_caller_identity.current-account.account_id}:user/$${aws:username}"
    ]


@pytest.mark.parametrize("path", ["network/flow-log-role", "audit-trail/log-role"])
def test_service_roles_trust_one_service_for_this_account(stacks, environment, path):
    stack = stacks[environment]
    _, role = find(stack, "aws_iam_role", f"{path}/role")
    (trust,) = statements_of(stack, role["assume_role_policy"])
    assert [p["type"] for p in trust["principals"]] == ["Service"] and len(trust["principals"][0]["identifiers"]) == 1
    assert set(conditions(trust)) == {"aws:SourceAccount", "aws:SourceArn"}
    assert json.dumps(trust).count("sts:AssumeRole") == 1


def test_only_services_that_set_no_source_account_are_trusted_without_one(stacks, environment):
    """Every role of an environment holds the service it trusts to this account, except the roles of the services
    that set no ``aws:SourceAccount`` (``SERVICES_WITHOUT_SOURCE_KEYS``), which verify lets through the same way."""
    from platform_core.conventions import SERVICES_WITHOUT_SOURCE_KEYS

    stack = stacks[environment]
    unheld = set()
    for role in resources(stack, "aws_iam_role").values():
        for trust in statements_of(stack, role["assume_role_policy"]):
            services = {i for p in trust["principals"] if p["type"] == "Service" for i in p["identifiers"]}
            if services and "aws:SourceAccount" not in conditions(trust):
                unheld |= services
    assert unheld == set(SERVICES_WITHOUT_SOURCE_KEYS)


def boundary(stack):
    return find(stack, "aws_iam_policy", "permissions-boundary/policy")


@pytest.mark.parametrize("kind", ["environment", "baseline"])
def test_every_role_carries_the_stacks_permissions_boundary(stacks, baseline_stacks, environment, kind):
    stack = stacks[environment] if kind == "environment" else baseline_stacks["default"]
    name, policy = boundary(stack)
    owner = environment if kind == "environment" else "default"
    assert policy["name"] == f"acme-permissions-boundary-{owner}"
    roles = {key: role for key, role in resources(stack, "aws_iam_role").items() if "/delivery/" not in construct_path(role)}
    assert roles and {role["permissions_boundary"] for role in roles.values()} == {ref("aws_iam_policy", name, "arn")}
    # The GitHub Actions roles carry their own boundary instead (tests/unit/test_delivery_roles.py).


def test_the_boundary_denies_escalation_and_caps_nothing_else(stacks, environment):
    stack = stacks[environment]
    _, policy = boundary(stack)
    statements = by_sid(statements_of(stack, policy["policy"]))
    cap = statements["CapsWhatTheRolesOwnPoliciesGrantButIamChanges"]
    # Everything the role's own policies grant, but no IAM write: the Allow caps, it grants nothing by itself.
    assert (cap["effect"], cap["not_actions"], cap["resources"]) == ("Allow", list(IAM_WRITE_ACTIONS), ["*"])
    iam = statements["DenyIamUserRolePolicyAndKeyChanges"]
    assert iam["effect"] == "Deny" and {"iam:Create*", "iam:Put*", "iam:Attach*", "iam:Update*", "iam:Delete*"} <= set(iam["actions"])
    passing = statements["DenyPassingRolesOutsideThePlatform"]
    assert (passing["effect"], passing["actions"]) == ("Deny", ["iam:PassRole"])
    assert passing["not_resources"] == [f"arn:{PARTITION}:iam::{ACCOUNT}:role/acme-*-{environment}"]
    assert set(statements["DenyChangingAnyBoundary"]["actions"]) >= {"iam:PutRolePermissionsBoundary", "iam:DeleteRolePermissionsBoundary"}
    own = statements["DenyChangingThisBoundary"]
    assert own["resources"] == [f"arn:{PARTITION}:iam::{ACCOUNT}:policy/acme-permissions-boundary-{environment}"]
    assert set(own["actions"]) == {"iam:CreatePolicyVersion", "iam:DeletePolicy", "iam:DeletePolicyVersion", "iam:SetDefaultPolicyVersion"}
