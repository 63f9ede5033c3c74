"""Which role a run assumes in a stack's account, and which account its state bucket is in."""

from __future__ import annotations

import pytest

from environments import load_accounts
from ops.aws_clients import DEPLOY_ROLE_OVERRIDE, deploy_role

ROLE = "arn:aws:iam::123456789012:role/acme-deploy"


@pytest.fixture
def account():
    return load_accounts()["default"]


def test_a_stack_assumes_its_accounts_deploy_role_unless_the_run_says_otherwise(account, monkeypatch):
    monkeypatch.delenv(DEPLOY_ROLE_OVERRIDE, raising=False)
    assert deploy_role(account) is None, "no deploy role: the credentials as they are"
    with_role = account.model_copy(update={"deploy_role": "acme-deploy"})
    assert with_role.deploy_role_arn == ROLE
    assert deploy_role(with_role) == ROLE
    monkeypatch.setenv(DEPLOY_ROLE_OVERRIDE, "")
    assert deploy_role(with_role) is None, 'TF_VAR_deploy_role_arn="": a CI job already is the account\'s role'
    monkeypatch.setenv(DEPLOY_ROLE_OVERRIDE, "arn:aws:iam::123456789012:role/acme-dev-plan")
    assert deploy_role(with_role) == "arn:aws:iam::123456789012:role/acme-dev-plan"


def test_the_deploy_role_arn_carries_the_partition_of_the_home_region(account):
    gov = account.model_copy(update={"deploy_role": "acme-deploy", "home_region": "us-gov-west-1"})
    assert gov.deploy_role_arn == "arn:aws-us-gov:iam::123456789012:role/acme-deploy"


def test_the_state_buckets_account_is_known_only_when_the_files_say(account):
    assert account.state_account_id == "123456789012", "no role between: the stack's own account"
    assert account.model_copy(update={"deploy_role": "acme-deploy"}).state_account_id is None, "whichever the credentials are"
    central = account.state.model_copy(update={"role_arn": "arn:aws:iam::999999999999:role/acme-state"})
    assert account.model_copy(update={"state": central, "deploy_role": "acme-deploy"}).state_account_id == "999999999999"
