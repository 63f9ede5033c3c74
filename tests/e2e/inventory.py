"""What boto3 finds deployed, counted by Terraform resource type, to compare with what the state records.

After an interrupted apply and the run that converges it, every resource must be
in the state exactly once: a resource the cloud has and the state lacks is an
orphan (it would be created again, a duplicate), one the state has and the cloud
lacks is lost. The counts are taken in the e2e emulator's account, scoped to one
environment by its Environment tag or its name suffix (two environments may be
deployed side by side); moto's own defaults (the default VPC and its subnets,
security group, network ACL and route table) are left out.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable

from platform_core.naming import state_bucket_names
from tests.e2e.conftest import E2E

CountInCloud = Callable[[E2E, str], int]


def _vpc_ids(e2e: E2E, environment: str) -> list[str]:
    tagged = [{"Name": "tag:Environment", "Values": [environment]}]
    return [v["VpcId"] for v in e2e.client("ec2").describe_vpcs(Filters=tagged)["Vpcs"]]


def _bootstrap_buckets(environment: str) -> tuple[str, ...]:
    """The state bucket and its access-log bucket: the bootstrap's stack holds them, not the environment's state.
    Every environment the end-to-end test deploys (dev, and qa made from it) keeps its state in acme-tfstate-<env>."""
    return state_bucket_names(f"acme-tfstate-{environment}")


def _in_vpcs(e2e: E2E, environment: str) -> list[dict]:
    return [{"Name": "vpc-id", "Values": _vpc_ids(e2e, environment) or ["none"]}]


def _tagged(environment: str) -> list[dict]:
    return [{"Name": "tag:Environment", "Values": [environment]}]


def _kms_keys(e2e: E2E, environment: str) -> list[dict]:
    kms = e2e.client("kms")
    keys = [kms.describe_key(KeyId=k["KeyId"])["KeyMetadata"] for k in kms.list_keys()["Keys"]]
    return [k for k in keys if k["KeyManager"] == "CUSTOMER" and k["KeyState"] == "Enabled" and k.get("Description", "").endswith(f"(acme {environment})")]


def _rest_api_ids(e2e: E2E, environment: str) -> list[str]:
    return [a["id"] for a in e2e.client("apigateway").get_rest_apis()["items"] if a["name"].endswith(f"-{environment}")]


def _log_groups(e2e: E2E, environment: str) -> list[str]:
    executions = tuple(f"API-Gateway-Execution-Logs_{api}/" for api in _rest_api_ids(e2e, environment))
    return [
        g["logGroupName"]
        for g in e2e.client("logs").describe_log_groups()["logGroups"]
        if f"/{environment}/" in g["logGroupName"]
        or f"-{environment}/" in g["logGroupName"]
        or g["logGroupName"].endswith(f"-{environment}")
        or g["logGroupName"].startswith(executions)
    ]


def _named(names: list[str], environment: str) -> int:
    return sum(1 for name in names if name.endswith(f"-{environment}"))


COUNTERS: dict[str, CountInCloud] = {
    "aws_vpc": lambda e, env: len(_vpc_ids(e, env)),
    "aws_subnet": lambda e, env: len(e.client("ec2").describe_subnets(Filters=_tagged(env))["Subnets"]),
    "aws_internet_gateway": lambda e, env: len(
        e.client("ec2").describe_internet_gateways(Filters=[{"Name": "attachment.vpc-id", "Values": _vpc_ids(e, env) or ["none"]}])["InternetGateways"]
    ),
    "aws_nat_gateway": lambda e, env: len(
        [n for n in e.client("ec2").describe_nat_gateways(Filters=_in_vpcs(e, env))["NatGateways"] if n["State"] in ("pending", "available")]
    ),
    "aws_eip": lambda e, env: len(e.client("ec2").describe_addresses(Filters=_tagged(env))["Addresses"]),
    "aws_route_table": lambda e, env: len(
        [t for t in e.client("ec2").describe_route_tables(Filters=_in_vpcs(e, env))["RouteTables"] if not any(a.get("Main") for a in t.get("Associations", []))]
    ),
    "aws_security_group": lambda e, env: len(
        [g for g in e.client("ec2").describe_security_groups(Filters=_in_vpcs(e, env))["SecurityGroups"] if g["GroupName"] != "default"]
    ),
    "aws_network_acl": lambda e, env: len(
        [a for a in e.client("ec2").describe_network_acls(Filters=_in_vpcs(e, env))["NetworkAcls"] if not a["IsDefault"]]
    ),
    "aws_vpc_endpoint": lambda e, env: len(
        [p for p in e.client("ec2").describe_vpc_endpoints(Filters=_in_vpcs(e, env))["VpcEndpoints"] if p["State"].lower() not in ("deleted", "deleting")]
    ),
    "aws_instance": lambda e, env: sum(
        1
        for r in e.client("ec2").describe_instances(Filters=_tagged(env))["Reservations"]
        for i in r["Instances"]
        if i["State"]["Name"] not in ("terminated", "shutting-down")
    ),
    "aws_kms_key": lambda e, env: len(_kms_keys(e, env)),
    "aws_kms_alias": lambda e, env: len(
        [a for a in e.client("kms").list_aliases()["Aliases"] if a["AliasName"].startswith("alias/acme-") and a["AliasName"].endswith(f"-{env}")]
    ),
    "aws_s3_bucket": lambda e, env: len(
        [
            b
            for b in e.client("s3").list_buckets()["Buckets"]
            if b["Name"].startswith("acme-") and f"-{env}-" in b["Name"] and b["Name"] not in _bootstrap_buckets(env)
        ]
    ),
    "aws_cloudwatch_log_group": lambda e, env: len(_log_groups(e, env)),
    "aws_iam_role": lambda e, env: _named([r["RoleName"] for r in e.client("iam").list_roles()["Roles"]], env),
    "aws_db_instance": lambda e, env: _named([d["DBInstanceIdentifier"] for d in e.client("rds").describe_db_instances()["DBInstances"]], env),
    "aws_db_event_subscription": lambda e, env: _named([s["CustSubscriptionId"] for s in e.client("rds").describe_event_subscriptions()["EventSubscriptionsList"]], env),
    "aws_dynamodb_table": lambda e, env: _named(e.client("dynamodb").list_tables()["TableNames"], env),
    "aws_lambda_function": lambda e, env: _named([f["FunctionName"] for f in e.client("lambda").list_functions()["Functions"]], env),
    "aws_sns_topic": lambda e, env: _named([t["TopicArn"] for t in e.client("sns").list_topics()["Topics"]], env),
    "aws_cloudwatch_metric_alarm": lambda e, env: _named([a["AlarmName"] for a in e.client("cloudwatch").describe_alarms()["MetricAlarms"]], env),
    "aws_cloudtrail": lambda e, env: _named([t["Name"] for t in e.client("cloudtrail").describe_trails()["trailList"]], env),
    "aws_api_gateway_rest_api": lambda e, env: len(_rest_api_ids(e, env)),
    "aws_backup_vault": lambda e, env: _named([v["BackupVaultName"] for v in e.client("backup").list_backup_vaults()["BackupVaultList"]], env),
    "aws_backup_plan": lambda e, env: _named([p["BackupPlanName"] for p in e.client("backup").list_backup_plans()["BackupPlansList"]], env),
}
"""Terraform resource type -> how many of them boto3 finds for the environment."""


def state_counts(state_body: bytes) -> Counter[str]:
    """How many instances of each managed resource type the state records."""
    state = json.loads(state_body)
    counts: Counter[str] = Counter()
    for resource in state.get("resources", []):
        if resource.get("mode") == "managed":
            counts[resource["type"]] += len(resource.get("instances", []))
    return counts


def mismatches(e2e: E2E, environment: str, state_body: bytes) -> dict[str, tuple[int, int]]:
    """Resource types whose count in the cloud differs from the state: type -> (cloud, state)."""
    recorded = state_counts(state_body)
    found = {resource_type: count(e2e, environment) for resource_type, count in COUNTERS.items()}
    return {t: (found[t], recorded.get(t, 0)) for t in COUNTERS if found[t] != recorded.get(t, 0)}
