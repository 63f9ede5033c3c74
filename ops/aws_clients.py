"""boto3 clients for the deploy target, and the credential check for real AWS.

The pipeline talks to AWS (or the emulator) through boto3 only to bootstrap,
to preflight, and to verify what Terraform deployed, independently of
Terraform's own state. A stack whose account names a ``deploy_role`` is reached
through that role, as Terraform reaches it (``TF_VAR_deploy_role_arn`` overrides it
for both; ``""`` means the credentials already are the account's); its state bucket
through ``state.role_arn``, or the credentials as they are.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass

from platform_core.errors import PipelineError
from platform_core.target import EMULATOR_ACCESS_KEY, EMULATOR_SECRET_KEY, DeployTarget


@dataclass(frozen=True)
class AwsClients:
    """Makes boto3 clients for one target and region."""

    target: DeployTarget
    region: str
    role_arn: str | None = None
    """A role to assume first (a stack's deploy role, a state role); None: the credentials as they are."""

    def client(self, service: str):
        import boto3
        from botocore.config import Config

        config = Config(retries={"max_attempts": 3, "mode": "standard"}, connect_timeout=5, read_timeout=60)
        if self.role_arn is not None:
            key, secret, token = _assumed(self.target, self.region, self.role_arn)
            return boto3.client(
                service, region_name=self.region, endpoint_url=self.target.endpoint_url, config=_through_emulator(config, service, self.target),
                aws_access_key_id=key, aws_secret_access_key=secret, aws_session_token=token,
            )
        if self.target.is_emulator:
            config = _through_emulator(config, service, self.target)
            return boto3.client(
                service,
                region_name=self.region,
                endpoint_url=self.target.endpoint_url,
                aws_access_key_id=EMULATOR_ACCESS_KEY,
                aws_secret_access_key=EMULATOR_SECRET_KEY,
                config=config,
            )
        return boto3.client(service, region_name=self.region, config=config)


DEPLOY_ROLE_OVERRIDE = "TF_VAR_deploy_role_arn"
"""Set, it replaces the account's deploy role for Terraform and for the pipeline's own calls; empty, assumes none."""


def deploy_role(config) -> str | None:
    """The role a run assumes in the stack's account: the account file's ``deploy_role``, unless
    ``TF_VAR_deploy_role_arn`` is set (``""``: none, the credentials already are the account's)."""
    override = os.environ.get(DEPLOY_ROLE_OVERRIDE)
    if override is not None:
        return override or None
    return config.deploy_role_arn


def _through_emulator(config, service: str, target: DeployTarget):
    """S3 Control puts the account id in front of the host (123456789012.127.0.0.1), which resolves nowhere; through
    the emulator as a proxy the request arrives, and moto routes it by path (as Terraform's does:
    DeployTarget.terraform_environ)."""
    from botocore.config import Config

    if target.is_emulator and service == "s3control":
        return config.merge(Config(proxies={"http": target.endpoint_url}))
    return config


@functools.cache
def _assumed(target: DeployTarget, region: str, role_arn: str) -> tuple[str, str, str]:
    """Credentials of ``role_arn``, assumed once per run with the credentials as they are."""
    import botocore.exceptions

    try:
        credentials = AwsClients(target, region).client("sts").assume_role(RoleArn=role_arn, RoleSessionName="platform-pipeline")["Credentials"]
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as exc:
        raise PipelineError(
            f"the role {role_arn} could not be assumed ({exc}); its trust policy must allow the credentials you run with "
            f'(for an account\'s deploy_role whose account your credentials already are, run with {DEPLOY_ROLE_OVERRIDE}="")'
        ) from None
    return credentials["AccessKeyId"], credentials["SecretAccessKey"], credentials["SessionToken"]


def check_aws_credentials(
    region: str, expected_account: str | None = None, source_file: str = "the environment file", role_arn: str | None = None
) -> str:
    """Fail fast, with the fix, unless real AWS credentials are configured and work (and can assume ``role_arn``, the
    stack's deploy role, when it has one). Returns the account id the stack is reached in."""
    import boto3
    import botocore.exceptions

    session = boto3.Session()
    if session.get_credentials() is None:
        raise PipelineError(
            "TARGET=aws needs AWS credentials, and none were found (environment variables, AWS_PROFILE, "
            "~/.aws/credentials, SSO or instance role); configure them, e.g. `aws configure` or "
            "`aws sso login --profile <p>` with AWS_PROFILE=<p>, or unset TARGET to deploy onto the local emulator"
        )
    try:
        identity = session.client("sts", region_name=region).get_caller_identity()
    except botocore.exceptions.NoCredentialsError as exc:
        raise PipelineError(f"TARGET=aws: the AWS credentials could not be loaded ({exc}); fix the credential setup") from None
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as exc:
        raise PipelineError(
            f"TARGET=aws: AWS rejected or could not be reached with the configured credentials ({exc}); "
            "check the credentials, the network and the region"
        ) from None
    account = identity["Account"]
    if role_arn is not None:
        account = AwsClients(DeployTarget(kind="aws"), region, role_arn).client("sts").get_caller_identity()["Account"]
        if expected_account is not None and account != expected_account:
            raise PipelineError(f"TARGET=aws: the deploy role {role_arn} is in account {account}, but {source_file} is pinned to account_id {expected_account}")
        return account
    if expected_account is not None and account != expected_account:
        raise PipelineError(
            f"TARGET=aws: the credentials belong to account {account}, but {source_file} is pinned to "
            f"account_id {expected_account}; switch credentials (AWS_PROFILE) to that account"
        )
    return account
