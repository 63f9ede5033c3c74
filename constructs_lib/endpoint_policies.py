"""Endpoint policies: what may pass through each of the VPC's endpoints.

An endpoint without a policy passes any request to any resource. Through the S3 gateway, anything in the VPC
could then reach any bucket of any account, with credentials of any account: an exfiltration path. So every
endpoint carries a policy, rendered by ``aws_iam_policy_document`` like every other policy, that lets through:

* this account's principals acting on this account's resources. On S3, whose ARNs name no account, that is
  ``aws:PrincipalAccount`` and ``aws:ResourceAccount``; on DynamoDB and on the interface endpoints whose ARNs name
  the account, the resources are ARNs of this account and region; on the rest (STS, SSM, the message channels,
  CloudWatch metrics, ECR), whose calls touch AWS-owned resources or none, ``aws:PrincipalAccount`` alone;
* on the S3 gateway only, object reads from the AWS-owned buckets the app servers need
  (``platform_core.endpoint_access.AWS_OWNED_BUCKETS``), each with its reason. Those reads are anonymous, so no
  account condition can hold them.

An endpoint policy grants nothing: it caps what IAM and resource policies grant, for requests that pass through
the endpoint. Rule VPC001 (``constructs_lib/rules/endpoint_policies.py``) refuses an endpoint without one, and
an Allow in one that any account could use.
"""

from __future__ import annotations

from constructs import Construct

from constructs_lib.context import StackScope
from constructs_lib.iam_documents import policy_document, statement
from platform_core.endpoint_access import ACCOUNT_SCOPED_SERVICES, action_prefix, aws_owned_bucket_objects


def _this_accounts_principals(where: StackScope):
    return ("StringEquals", "aws:PrincipalAccount", [where.account_id])


def endpoint_policy(scope: Construct, construct_id: str, where: StackScope, service: str) -> str:
    """The policy (JSON, a token) of the endpoint for ``service`` (``s3``, ``dynamodb``, ``ssm``...)."""
    anyone, actions = {"AWS": ["*"]}, [f"{action_prefix(service)}:*"]
    if service == "s3":
        statements = [
            statement(
                "ThisAccountsPrincipalsOnThisAccountsBuckets",
                actions=actions,
                resources=["*"],
                principals=anyone,
                conditions=[_this_accounts_principals(where), ("StringEquals", "aws:ResourceAccount", [where.account_id])],
            ),
            statement(
                "AwsOwnedBucketsTheServersRead",
                actions=["s3:GetObject"],
                resources=aws_owned_bucket_objects(where.partition, where.region),
                principals=anyone,
            ),
        ]
    elif service in ACCOUNT_SCOPED_SERVICES:
        statements = [
            statement(
                "ThisAccountsPrincipalsOnThisAccountsResources",
                actions=actions,
                resources=[where.arn(ACCOUNT_SCOPED_SERVICES[service], "*")],
                principals=anyone,
                conditions=[_this_accounts_principals(where)],
            )
        ]
    else:
        statements = [statement("ThisAccountsPrincipals", actions=actions, resources=["*"], principals=anyone, conditions=[_this_accounts_principals(where)])]
    return policy_document(scope, construct_id, statements)
