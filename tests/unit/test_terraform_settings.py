"""Provider and backend: pinned, tagged, one state object per environment, locking on."""

from __future__ import annotations

from platform_core.target import DeployTarget

ENDPOINT = "http://127.0.0.1:4566"


def test_stack_is_named_after_the_environment(stacks, environment):
    assert stacks[environment]["//"]["metadata"]["stackName"] == environment


def test_provider_is_pinned_to_the_mirrors_version(stacks, environment):
    assert stacks[environment]["terraform"]["required_providers"]["aws"] == {"source": "hashicorp/aws", "version": "5.100.0"}


def test_provider_carries_the_standard_tags(stacks, configs, environment):
    (provider,) = stacks[environment]["provider"]["aws"]
    assert provider["region"] == configs[environment].region
    assert provider["default_tags"] == [{"tags": configs[environment].resource_tags}]


def test_aws_target_has_no_endpoints_or_credentials(stacks, environment):
    (provider,) = stacks[environment]["provider"]["aws"]
    backend = stacks[environment]["terraform"]["backend"]["s3"]
    for settings in (provider, backend):
        assert not {"endpoints", "access_key", "secret_key"} & set(settings)


def test_backend_is_encrypted_s3_with_lockfiles(stacks, configs, environment):
    backend = stacks[environment]["terraform"]["backend"]["s3"]
    state = configs[environment].state
    assert backend == {
        "bucket": state.bucket,
        "key": state.key,
        "region": state.region,
        "encrypt": True,
        "use_lockfile": True,
        "workspace_key_prefix": "workspaces",
    }


def test_every_environment_has_its_own_state_object(stacks):
    places = {(s["terraform"]["backend"]["s3"]["bucket"], s["terraform"]["backend"]["s3"]["key"]) for s in stacks.values()}
    assert len(places) == len(stacks) == 3


def test_emulator_target_points_every_service_at_the_emulator(emulator_stacks, environment):
    """The provider's endpoints come from Terraform's environment (an ``endpoints`` block costs seconds a plan);
    the placeholder credentials make the stack useless on AWS without them."""
    (provider,) = emulator_stacks[environment]["provider"]["aws"]
    assert "endpoints" not in provider
    assert (provider["access_key"], provider["secret_key"]) == ("test", "test")
    assert DeployTarget(emulator_port=4566).terraform_environ() == {"AWS_ENDPOINT_URL": ENDPOINT, "HTTP_PROXY": ENDPOINT}
    assert provider["s3_use_path_style"] is True
    assert provider["skip_requesting_account_id"] is False
    backend = emulator_stacks[environment]["terraform"]["backend"]["s3"]
    assert backend["endpoints"] == {"s3": ENDPOINT, "sts": ENDPOINT}
    assert backend["use_path_style"] is True and backend["use_lockfile"] is True


def test_emulator_and_aws_differ_only_in_provider_and_backend(stacks, emulator_stacks, environment):
    def without_target_settings(stack):
        copy = {k: v for k, v in stack.items() if k != "provider"}
        copy["terraform"] = {k: v for k, v in stack["terraform"].items() if k != "backend"}
        return copy

    assert without_target_settings(stacks[environment]) == without_target_settings(emulator_stacks[environment])


def test_target_comes_from_the_environment_variables():
    assert DeployTarget.from_environ({}) == DeployTarget(kind="emulator", emulator_port=4566)
    assert DeployTarget.from_environ({"TARGET": "aws"}).endpoint_url is None
    assert DeployTarget.from_environ({"EMULATOR_PORT": "5123"}).endpoint_url == "http://127.0.0.1:5123"


def test_a_bad_target_is_refused_by_name():
    import pytest

    from platform_core.errors import ConfigError

    with pytest.raises(ConfigError, match="TARGET: 'azure' is not a deploy target"):
        DeployTarget.from_environ({"TARGET": "azure"})
    with pytest.raises(ConfigError, match="EMULATOR_PORT: '80' is not a usable port"):
        DeployTarget.from_environ({"EMULATOR_PORT": "80"})


def test_the_provider_refuses_any_account_but_the_stacks_own_on_both_targets(stacks, emulator_stacks, configs, environment):
    for synthesized in (stacks, emulator_stacks):
        (provider,) = synthesized[environment]["provider"]["aws"]
        assert provider["allowed_account_ids"] == [configs[environment].account_id]
        assert "dynamic" not in provider and "variable" not in synthesized[environment], "no deploy role: no role assumed"


def test_a_deploy_role_is_assumed_unless_the_run_empties_it_and_a_state_role_by_the_backend(configs, accounts, tmp_path):
    from tests.synth import synth_environments

    account = accounts["default"].model_copy(update={"deploy_role": "acme-deploy"})
    central = configs["dev"].state.model_copy(update={"role_arn": "arn:aws:iam::999999999999:role/acme-state"})
    dev = configs["dev"].model_copy(update={"deploy_role_arn": account.deploy_role_arn, "state": central})
    synthesized = synth_environments([dev], DeployTarget(kind="aws"), tmp_path, [account])
    for name in ("dev", account.stack_name):
        stack = synthesized[name]
        assert stack["variable"]["deploy_role_arn"]["default"] == "arn:aws:iam::123456789012:role/acme-deploy"
        for provider in stack["provider"]["aws"]:
            assume = provider["dynamic"]["assume_role"]
            assert assume["for_each"] == '${var.deploy_role_arn == "" ? [] : [var.deploy_role_arn]}'
            assert assume["content"]["role_arn"] == "${assume_role.value}"
            assert provider["allowed_account_ids"] == ["123456789012"]
    backend = synthesized["dev"]["terraform"]["backend"]["s3"]
    assert backend["assume_role"] == {"role_arn": "arn:aws:iam::999999999999:role/acme-state", "session_name": "platform-state-dev"}
    assert "assume_role" not in synthesized[account.stack_name]["terraform"]["backend"]["s3"]
