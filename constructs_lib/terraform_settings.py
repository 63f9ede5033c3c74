"""The AWS provider and the S3 backend of a stack, for either deploy target.

The emulator and AWS share everything except what is set here: path-style S3,
the emulator's placeholder credentials and the backend's endpoints. Both are
chosen once, at synth time, from a :class:`~platform_core.target.DeployTarget`.

The provider's endpoints on the emulator are not written here but given to
Terraform as ``AWS_ENDPOINT_URL`` (:meth:`DeployTarget.terraform_environ`): with
an ``endpoints`` block, even of one service, the provider spends about 2.3 s
validating its own configuration, and a plan validates it twice. The
placeholder credentials keep an emulator stack run without that variable from
doing anything on AWS: it is refused there.

On both targets the provider refuses any account but the stack's own
(``allowed_account_ids``). A stack whose account names a ``deploy_role`` gets the
Terraform variable ``deploy_role_arn`` (default: that role) and assumes it; a run whose
credentials already are a role of the account (a CI job's OIDC role) sets
``TF_VAR_deploy_role_arn=""`` and assumes nothing. The backend assumes ``state.role_arn``
when the state lives in another account.
"""

from __future__ import annotations

from collections.abc import Mapping

from cdktf import S3Backend, S3BackendEndpointConfig, TerraformStack, TerraformVariable

from environments.schema import StateConfig
from platform_core.conventions import AWS_PROVIDER_VERSION, STATE_WORKSPACE_PREFIX
from platform_core.target import EMULATOR_ACCESS_KEY, EMULATOR_SECRET_KEY, DeployTarget
from synth_runtime.provider_bindings import aws


def configure_aws_provider(
    stack: TerraformStack,
    *,
    region: str,
    tags: Mapping[str, str],
    target: DeployTarget,
    allowed_account_id: str | None = None,
    deploy_role_arn: str | None = None,
    assume_role_arn: str | None = None,
    alias: str | None = None,
):
    """The AWS provider, pinned, with the standard tags as ``default_tags``; ``alias`` makes an extra one
    (another region of the same account). It refuses any account but ``allowed_account_id``, and assumes
    ``deploy_role_arn`` unless the run sets ``TF_VAR_deploy_role_arn=""``; ``assume_role_arn`` is assumed always
    (the state role, by the state bucket's own stack)."""
    settings: dict = {
        "region": region,
        "default_tags": [aws.provider.AwsProviderDefaultTags(tags=dict(tags))],
    }
    if alias is not None:
        settings["alias"] = alias
    if target.is_emulator:
        settings.update(
            access_key=EMULATOR_ACCESS_KEY,
            secret_key=EMULATOR_SECRET_KEY,
            s3_use_path_style=True,
            skip_credentials_validation=True,
            skip_metadata_api_check="true",
            # The provider must ask the emulator's STS for the account id; with this
            # true, rules that reference another security group drift forever.
            skip_requesting_account_id=False,
        )
    if allowed_account_id is not None:
        settings["allowed_account_ids"] = [allowed_account_id]
    if assume_role_arn is not None:
        settings["assume_role"] = [aws.provider.AwsProviderAssumeRole(role_arn=assume_role_arn, session_name=f"platform-{stack.node.id}")]
    provider = aws.provider.AwsProvider(stack, f"aws-{alias}" if alias else "aws", **settings)
    if deploy_role_arn is not None:
        role = _deploy_role_variable(stack, deploy_role_arn)
        provider.add_override("dynamic.assume_role", {
            "for_each": f'${{{role} == "" ? [] : [{role}]}}',
            "content": {"role_arn": "${assume_role.value}", "session_name": f"platform-{stack.node.id}"},
        })
    stack.add_override("terraform.required_providers.aws.source", "hashicorp/aws")
    stack.add_override("terraform.required_providers.aws.version", AWS_PROVIDER_VERSION)
    return provider


DEPLOY_ROLE_VARIABLE = "deploy_role_arn"
"""The Terraform variable naming the role the provider assumes; ``TF_VAR_deploy_role_arn=""`` assumes none."""


def _deploy_role_variable(stack: TerraformStack, default: str) -> str:
    """The stack's ``deploy_role_arn`` variable (made once, shared by its aliased providers), as an expression."""
    variable = stack.node.try_find_child(DEPLOY_ROLE_VARIABLE) or TerraformVariable(
        stack, DEPLOY_ROLE_VARIABLE, type="string", default=default, nullable=False,
        description='The role the AWS provider assumes in the stack\'s account; "" assumes none (the credentials already are the account\'s)',
    )
    return f"var.{variable.friendly_unique_id}"


def configure_remote_state(stack: TerraformStack, state: StateConfig, target: DeployTarget) -> S3Backend:
    """An encrypted S3 backend with S3-native locking (a ``.tflock`` object next to the state), at
    ``s3://<state.bucket>/workspaces/<workspace>/<state.key>``."""
    settings: dict = {
        "bucket": state.bucket,
        "key": state.key,
        "region": state.region,
        "encrypt": True,
        "workspace_key_prefix": STATE_WORKSPACE_PREFIX,
    }
    if target.is_emulator:
        settings.update(
            access_key=EMULATOR_ACCESS_KEY,
            secret_key=EMULATOR_SECRET_KEY,
            use_path_style=True,
            skip_credentials_validation=True,
            skip_metadata_api_check=True,
            skip_requesting_account_id=True,
            endpoints=S3BackendEndpointConfig(s3=target.endpoint_url, sts=target.endpoint_url),
        )
    backend = S3Backend(stack, **settings)
    # cdktf 0.21's S3BackendConfig has no field for Terraform 1.10's native S3 locking.
    stack.add_override("terraform.backend.s3.use_lockfile", True)
    if state.role_arn is not None:
        stack.add_override("terraform.backend.s3.assume_role", {"role_arn": state.role_arn, "session_name": f"platform-state-{stack.node.id}"})
    return backend
