"""Verify, through boto3 against the target, that a deployed environment keeps its promises.

The checks read the live resources (found by their names and tags), never
Terraform's state, so they catch what Terraform believes but AWS does not.
Each tier has a module of checks; each check returns a :class:`CheckResult`.
A check that the emulator cannot answer raises :class:`EmulatorGap`: it is
reported as SKIP with the reason on the emulator, and never skipped on AWS.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property

from environments.schema import EnvironmentConfig
from ops.aws_clients import AwsClients, deploy_role
from platform_core.target import DeployTarget


class EmulatorGap(Exception):
    """The emulator does not implement what this check needs; the message says what."""


@dataclass(frozen=True)
class CheckResult:
    tier: str
    name: str
    status: str  # PASS, FAIL or SKIP
    detail: str = ""

    def line(self) -> str:
        detail = f" ({self.detail})" if self.detail else ""
        return f"{self.status:<4} {self.tier}: {self.name}{detail}"


class CheckFailed(Exception):
    """A check's expectation does not hold; the message says what was found."""


class VerifyContext:
    """What every check needs: the config, the target, boto3 clients and lookups shared between checks."""

    def __init__(self, config: EnvironmentConfig, target: DeployTarget) -> None:
        self.config = config
        self.target = target
        self.names = config.names
        self.aws = AwsClients(target, config.region, deploy_role(config))
        self.state_aws = AwsClients(target, config.state.region, config.state.role_arn)
        self._clients: dict[str, object] = {}

    def client(self, service: str):
        """A client in the stack's account (through its deploy role, as Terraform reaches it)."""
        if service not in self._clients:
            self._clients[service] = self.aws.client(service)
        return self._clients[service]

    def state_client(self, service: str):
        """A client where the state bucket is: through ``state.role_arn``, or the credentials as they are."""
        key = f"state:{service}"
        if key not in self._clients:
            self._clients[key] = self.state_aws.client(service)
        return self._clients[key]

    @cached_property
    def account_id(self) -> str:
        return self.client("sts").get_caller_identity()["Account"]

    def bucket_name(self, purpose: str) -> str:
        return self.names.bucket_name(purpose, self.account_id)

    def key_arn(self, purpose: str) -> str:
        """The ARN of the key behind ``alias/<project>-<purpose>-<env>``."""
        alias = f"alias/{self.names.name(purpose)}"
        kms = self.client("kms")
        for page in kms.get_paginator("list_aliases").paginate():
            for entry in page["Aliases"]:
                if entry["AliasName"] == alias and entry.get("TargetKeyId"):
                    return kms.describe_key(KeyId=entry["TargetKeyId"])["KeyMetadata"]["Arn"]
        raise CheckFailed(f"no key behind {alias}")

    def topic_arn(self, purpose: str = "alarms") -> str:
        return f"arn:aws:sns:{self.config.region}:{self.account_id}:{self.names.name(purpose)}"

    def subnet_tiers(self) -> dict[str, str]:
        """Subnet id -> tier, for the environment's VPC."""
        subnets = self.client("ec2").describe_subnets(Filters=[{"Name": "vpc-id", "Values": [self.vpc["VpcId"]]}])["Subnets"]
        return {s["SubnetId"]: next(t["Value"] for t in s.get("Tags", []) if t["Key"] == "Tier") for s in subnets}

    @cached_property
    def vpc(self) -> dict:
        vpcs = self.client("ec2").describe_vpcs(
            Filters=[{"Name": "tag:Name", "Values": [self.names.name("vpc")]}]
        )["Vpcs"]
        if len(vpcs) != 1:
            raise CheckFailed(f"expected one VPC named {self.names.name('vpc')}, found {len(vpcs)}")
        return vpcs[0]


Check = Callable[[VerifyContext], str | None]
"""A check returns an optional detail on success, raises CheckFailed or EmulatorGap otherwise."""


def run_checks(ctx: VerifyContext, checks: Iterable[tuple[str, str, Check]]) -> list[CheckResult]:
    results = []
    for tier, name, check in checks:
        try:
            detail = check(ctx) or ""
            results.append(CheckResult(tier, name, "PASS", detail))
        except EmulatorGap as gap:
            if ctx.target.is_emulator:
                results.append(CheckResult(tier, name, "SKIP", f"emulator: {gap}"))
            else:
                results.append(CheckResult(tier, name, "FAIL", f"unexpected emulator gap on AWS: {gap}"))
        except CheckFailed as failure:
            results.append(CheckResult(tier, name, "FAIL", str(failure)))
        except Exception as error:  # a check must report, never crash the run
            results.append(CheckResult(tier, name, "FAIL", f"{type(error).__name__}: {error}"))
    return results


def all_checks() -> list[tuple[str, str, Check]]:
    from ops.verify import (
        api,
        audit,
        backups,
        compute,
        database,
        encryption,
        firewall,
        identity,
        monitoring,
        network,
        published,
        serverless,
        state,
        storage,
    )

    return [
        *state.CHECKS,
        *network.CHECKS,
        *encryption.CHECKS,
        *storage.CHECKS,
        *audit.CHECKS,
        *identity.CHECKS,
        *database.CHECKS,
        *compute.CHECKS,
        *monitoring.CHECKS,
        *serverless.CHECKS,
        *backups.CHECKS,
        *api.CHECKS,
        *firewall.CHECKS,
        *published.CHECKS,
    ]


def verify_environment(config: EnvironmentConfig, target: DeployTarget) -> list[CheckResult]:
    return run_checks(VerifyContext(config, target), all_checks())


def expect(condition: bool, message: str) -> None:
    if not condition:
        raise CheckFailed(message)
