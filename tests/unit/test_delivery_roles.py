"""The GitHub Actions OIDC roles of an account's baseline: who may assume which role, and what each may do.

The trust policies are evaluated here the way STS evaluates them for
``AssumeRoleWithWebIdentity``: an Allow for the action, the identity provider as the
federated principal, and every condition holding for the token's claims. Only the
condition operators the roles use are understood; any other fails the test, so a new
operator cannot be passed over silently.
"""

from __future__ import annotations

import fnmatch
import json

import pytest

from constructs_lib.app import synthesize
from environments.account_schema import AccountConfig
from platform_core.delivery import (
    APPLY,
    AUDIENCE_KEY,
    GITHUB_OIDC_HOST,
    OIDC_AUDIENCE,
    PLAN,
    SUBJECT_KEY,
    USER_CREDENTIAL_ACTIONS,
    delivery_role_name,
    environment_subject,
    pull_request_subject,
)
from platform_core.target import DeployTarget
from tests.synth import by_sid, conditions, construct_path, ref, resources, statements_of

REPOSITORY = "acme/platform"
ENVIRONMENTS = ("dev", "staging", "prod")


def role(stack: dict, environment: str, kind: str) -> tuple[str, dict]:
    name = delivery_role_name("acme", environment, kind)
    (found,) = [(key, body) for key, body in resources(stack, "aws_iam_role").items() if body["name"] == name]
    return found


def provider_reference(stack: dict) -> str:
    (key,) = resources(stack, "aws_iam_openid_connect_provider")
    return ref("aws_iam_openid_connect_provider", key, "arn")


def may_assume(stack: dict, role_body: dict, *, sub: str, aud: str = OIDC_AUDIENCE, provider: str | None = None) -> bool:
    """Whether a GitHub token with these claims, presented through ``provider``, may assume the role."""
    provider = provider or provider_reference(stack)
    claims = {AUDIENCE_KEY: aud, SUBJECT_KEY: sub}
    for statement in statements_of(stack, role_body["assume_role_policy"]):
        federated = [i for p in statement.get("principals", []) if p["type"] == "Federated" for i in p["identifiers"]]
        if statement.get("effect", "Allow") != "Allow" or "sts:AssumeRoleWithWebIdentity" not in statement.get("actions", []):
            continue
        if provider not in federated:
            continue
        if all(_holds(test, claims.get(variable), values) for variable, (test, values) in conditions(statement).items()):
            return True
    return False


def _holds(test: str, claim: str | None, values: list[str]) -> bool:
    if claim is None:
        return False
    if test == "StringEquals":
        return claim in values
    if test == "StringLike":
        return any(fnmatch.fnmatchcase(claim, value) for value in values)
    pytest.fail(f"the trust policy uses the condition operator {test}, which this evaluator does not know; teach it")


@pytest.fixture(scope="module")
def baseline(baseline_stacks) -> dict:
    return baseline_stacks["default"]


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_a_pull_request_may_assume_the_plan_role_but_never_the_apply_role(baseline, environment):
    pull_request = pull_request_subject(REPOSITORY)
    assert may_assume(baseline, role(baseline, environment, PLAN)[1], sub=pull_request)
    assert not may_assume(baseline, role(baseline, environment, APPLY)[1], sub=pull_request)


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_only_the_environments_own_github_environment_may_assume_its_apply_role(baseline, environment):
    apply = role(baseline, environment, APPLY)[1]
    assert may_assume(baseline, apply, sub=environment_subject(REPOSITORY, environment))
    for other in ENVIRONMENTS:
        if other != environment:
            assert not may_assume(baseline, apply, sub=environment_subject(REPOSITORY, other)), f"{other} -> {environment}"
    for elsewhere in (f"repo:{REPOSITORY}:ref:refs/heads/main", f"repo:{REPOSITORY}:environment:{environment}-copy"):
        assert not may_assume(baseline, apply, sub=elsewhere)


@pytest.mark.parametrize("kind", [PLAN, APPLY])
@pytest.mark.parametrize("repository", ["acme/platform-fork", "evil/platform", "ACME/platform", "acme/platform/x"])
def test_another_repository_may_assume_no_role(baseline, kind, repository):
    for environment in ENVIRONMENTS:
        body = role(baseline, environment, kind)[1]
        for sub in (pull_request_subject(repository), environment_subject(repository, environment)):
            assert not may_assume(baseline, body, sub=sub), f"{sub} may assume {body['name']}"


@pytest.mark.parametrize("kind", [PLAN, APPLY])
def test_the_audience_is_pinned(baseline, kind):
    for environment in ENVIRONMENTS:
        body = role(baseline, environment, kind)[1]
        sub = environment_subject(REPOSITORY, environment)
        assert may_assume(baseline, body, sub=sub)
        assert not may_assume(baseline, body, sub=sub, aud="https://github.com/acme")
        for statement in statements_of(baseline, body["assume_role_policy"]):
            assert conditions(statement)[AUDIENCE_KEY] == ("StringEquals", [OIDC_AUDIENCE])
            assert conditions(statement)[SUBJECT_KEY][0] == "StringEquals", "no wildcard subject"


def test_only_the_accounts_github_identity_provider_is_trusted(baseline):
    (provider,) = resources(baseline, "aws_iam_openid_connect_provider").values()
    assert provider["url"] == f"https://{GITHUB_OIDC_HOST}" and provider["client_id_list"] == [OIDC_AUDIENCE]
    plan = role(baseline, "dev", PLAN)[1]
    other = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com.evil"
    assert not may_assume(baseline, plan, sub=pull_request_subject(REPOSITORY), provider=other)


def test_every_delivery_role_carries_the_delivery_boundary_which_denies_users_keys_and_unbounded_roles(baseline):
    (key, policy) = next((k, p) for k, p in resources(baseline, "aws_iam_policy").items() if construct_path(p).endswith("/delivery/boundary/policy"))
    assert policy["name"] == "acme-delivery-boundary-default"
    for environment in ENVIRONMENTS:
        for kind in (PLAN, APPLY):
            assert role(baseline, environment, kind)[1]["permissions_boundary"] == ref("aws_iam_policy", key, "arn")
    statements = by_sid(statements_of(baseline, policy["policy"]))
    assert set(USER_CREDENTIAL_ACTIONS) <= set(statements["DenyUsersAndLongLivedKeys"]["actions"])
    unbounded = statements["DenyRolesWithoutTheirEnvironmentsBoundary"]
    assert unbounded["effect"] == "Deny" and "iam:CreateRole" in unbounded["actions"]
    test, boundaries = conditions(unbounded)["iam:PermissionsBoundary"]
    assert test == "StringNotEquals" and sorted(b.rsplit("/", 1)[1] for b in boundaries) == sorted(f"acme-permissions-boundary-{e}" for e in ENVIRONMENTS)
    changes = statements["DenyChangingTheDeliveryRoles"]
    every = [delivery_role_name("acme", e, k) for e in ENVIRONMENTS for k in (PLAN, APPLY)] + ["acme-baseline-default-plan"]
    assert sorted(r.rsplit("/", 1)[1] for r in changes["resources"]) == sorted(every)


def test_the_baseline_has_a_plan_role_and_no_apply_role(baseline):
    """The roles CI runs as live in the baseline: a pipeline may plan it (and see drift), never apply it."""
    key, plan = role(baseline, "baseline-default", PLAN)
    assert may_assume(baseline, plan, sub=pull_request_subject(REPOSITORY))
    assert may_assume(baseline, plan, sub=environment_subject(REPOSITORY, "baseline-default"))
    assert not may_assume(baseline, plan, sub=environment_subject(REPOSITORY, "dev"))
    assert "acme-baseline-default-apply" not in {r["name"] for r in resources(baseline, "aws_iam_role").values()}
    assert _own_statements(baseline, key)["ReadsTheState"]["resources"][0].endswith(":::acme-tfstate-account-default/workspaces/baseline-default/baseline/default.tfstate")


def _attached(stack: dict, role_key: str) -> list[str]:
    return [a["policy_arn"] for a in resources(stack, "aws_iam_role_policy_attachment").values() if a["role"] == ref("aws_iam_role", role_key, "name")]


def _own_statements(stack: dict, role_key: str) -> dict[str, dict]:
    (own,) = [p for p in resources(stack, "aws_iam_role_policy").values() if p["role"] == ref("aws_iam_role", role_key)]
    return by_sid(statements_of(stack, own["policy"]))


def test_the_plan_role_reads_and_locks_its_state_and_no_data(baseline, configs):
    key, _ = role(baseline, "dev", PLAN)
    assert [a.rsplit("/", 1)[1] for a in _attached(baseline, key)] == ["ReadOnlyAccess"]
    statements = _own_statements(baseline, key)
    state = configs["dev"].state_object_key
    assert statements["ReadsTheState"]["resources"][0].endswith(f":::acme-tfstate-dev/{state}")
    assert statements["TakesAndReleasesTheStateLock"]["resources"][0].endswith(f"/{state}.tflock")
    assert statements["DenyReadingTheEnvironmentsData"]["effect"] == "Deny"
    assert "dynamodb:Scan" in statements["DenyReadingTheEnvironmentsData"]["actions"]
    assert statements["DenyReadingObjectsButTheState"]["effect"] == "Deny"


def test_the_apply_role_manages_only_its_environments_iam(baseline):
    key, _ = role(baseline, "staging", APPLY)
    assert [a.rsplit("/", 1)[1] for a in _attached(baseline, key)] == ["PowerUserAccess"]
    iam = _own_statements(baseline, key)["ManagesTheEnvironmentsOwnIam"]
    assert all(r.endswith("/acme-*-staging") for r in iam["resources"]), iam["resources"]


def _baseline_only(account: AccountConfig, configs, tmp_path) -> dict:
    """The account's baseline alone, synthesized for TARGET=aws with these environments to deliver."""
    synthesize([], DeployTarget(kind="aws"), str(tmp_path), accounts=[account], delivered=list(configs.values()))
    return json.loads((tmp_path / "stacks" / account.stack_name / "cdk.tf.json").read_text())


def test_an_account_without_delivery_has_no_oidc_provider_or_roles_and_an_existing_provider_can_be_reused(accounts, configs, tmp_path):
    account = accounts["default"]
    without = _baseline_only(account.model_copy(update={"delivery": None}), configs, tmp_path / "without")
    assert resources(without, "aws_iam_openid_connect_provider") == {}
    assert not [r for r in resources(without, "aws_iam_role").values() if "/delivery/" in construct_path(r)]
    reuse = account.delivery.model_copy(update={"create_oidc_provider": False})
    reused = _baseline_only(account.model_copy(update={"delivery": reuse}), configs, tmp_path / "reused")
    assert resources(reused, "aws_iam_openid_connect_provider") == {}
    plan = role(reused, "dev", PLAN)[1]
    existing = "arn:${data.aws_partition.current-partition.partition}:iam::${data.aws_caller_identity.current-account.account_id}:oidc-provider/token.actions.githubusercontent.com"
    assert may_assume(reused, plan, sub=pull_request_subject(REPOSITORY), provider=existing.replace("current-partition", _data_key(reused, "aws_partition")).replace("current-account", _data_key(reused, "aws_caller_identity")))


def _data_key(stack: dict, data_type: str) -> str:
    (key,) = stack["data"][data_type]
    return key


def test_an_environment_of_another_account_gets_no_role_here(accounts, configs, tmp_path):
    moved = {**configs, "dev": configs["dev"].model_copy(update={"account": "elsewhere"})}
    stack = _baseline_only(accounts["default"], moved, tmp_path)
    names = {r["name"] for r in resources(stack, "aws_iam_role").values()}
    assert delivery_role_name("acme", "dev", PLAN) not in names and delivery_role_name("acme", "prod", APPLY) in names
