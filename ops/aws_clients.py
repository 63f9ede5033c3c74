"""boto3 clients for the deploy target, and the credential check for real AWS.

The pipeline talks to AWS (or the emulator) through boto3 only to bootstrap,
to preflight, and to verify what Terraform deployed, independently of
Terraform's own state.
"""

from __future__ import annotations

from dataclasses import dataclass

from platform_core.errors import PipelineError
from platform_core.target import EMULATOR_ACCESS_KEY, EMULATOR_SECRET_KEY, DeployTarget


@dataclass(frozen=True)
class AwsClients:
    """Makes boto3 clients for one target and region."""

    target: DeployTarget
    region: str

    def client(self, service: str):
        import boto3
        from botocore.config import Config

        config = Config(retries={"max_attempts": 3, "mode": "standard"}, connect_timeout=5, read_timeout=60)
        if self.target.is_emulator:
            if service == "s3control":
                # S3 Control puts the account id in front of the host (123456789012.127.0.0.1), which resolves
                # nowhere; through the emulator as a proxy the request arrives, and moto routes it by path (as
                # Terraform's does: DeployTarget.terraform_environ).
                config = config.merge(Config(proxies={"http": self.target.endpoint_url}))
            return boto3.client(
                service,
                region_name=self.region,
                endpoint_url=self.target.endpoint_url,
                aws_access_key_id=EMULATOR_ACCESS_KEY,
                aws_secret_access_key=EMULATOR_SECRET_KEY,
                config=config,
            )
        return boto3.client(service, region_name=self.region, config=config)


def check_aws_credentials(region: str, expected_account: str | None = None, source_file: str = "the environment file") -> str:
    """Fail fast, with the fix, unless real AWS credentials are configured and work. Returns the account id."""
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
    if expected_account is not None and account != expected_account:
        raise PipelineError(
            f"TARGET=aws: the credentials belong to account {account}, but {source_file} is pinned to "
            f"account_id {expected_account}; switch credentials (AWS_PROFILE) to that account"
        )
    return account
