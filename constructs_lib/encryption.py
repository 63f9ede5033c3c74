"""Customer-managed KMS keys, one per purpose, each with an explicit key policy.

A key policy here names exactly who may use the key: the account root (which
administers the key and delegates use to IAM), and the AWS service principals
that encrypt on the platform's behalf, each scoped by source account and
source ARN or by encryption context. Nothing else.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from constructs import Construct

from constructs_lib.iam_documents import Conditions, policy_document, statement
from constructs_lib.naming import ResourceNames
from constructs_lib.provider_bindings import aws

ENVELOPE_ENCRYPTION_ACTIONS: tuple[str, ...] = (
    "kms:Encrypt*",
    "kms:Decrypt*",
    "kms:ReEncrypt*",
    "kms:GenerateDataKey*",
    "kms:Describe*",
)
"""What a service needs to encrypt and decrypt with a key it does not own."""


@dataclass(frozen=True)
class ServiceGrant:
    """Lets one AWS service principal use the key, under the given conditions."""

    sid: str
    service: str
    conditions: Conditions
    actions: Sequence[str] = ENVELOPE_ENCRYPTION_ACTIONS


@dataclass(frozen=True)
class EncryptionKeyProps:
    """One key: its purpose (used in the alias and names) and who may use it."""

    names: ResourceNames
    purpose: str
    description: str
    account_id: str
    partition: str
    service_grants: Sequence[ServiceGrant] = field(default_factory=tuple)
    deletion_window_days: int = 30


class EncryptionKey(Construct):
    """A symmetric KMS key with yearly rotation, an explicit policy and an alias ``alias/<project>-<purpose>-<env>``."""

    def __init__(self, scope: Construct, construct_id: str, props: EncryptionKeyProps) -> None:
        super().__init__(scope, construct_id)
        root = f"arn:{props.partition}:iam::{props.account_id}:root"
        statements = [
            statement(
                "AccountRootAdministersKeyAndDelegatesToIam",
                actions=["kms:*"],
                resources=["*"],
                principals={"AWS": [root]},
            ),
            *(
                statement(
                    grant.sid,
                    actions=grant.actions,
                    resources=["*"],
                    principals={"Service": [grant.service]},
                    conditions=grant.conditions,
                )
                for grant in props.service_grants
            ),
        ]
        self.key = aws.kms_key.KmsKey(
            self,
            "key",
            description=props.description,
            enable_key_rotation=True,
            deletion_window_in_days=props.deletion_window_days,
            policy=policy_document(self, "key-policy", statements),
            tags={"Name": props.names.name(f"{props.purpose}-key")},
        )
        self.alias = aws.kms_alias.KmsAlias(
            self,
            "alias",
            name=f"alias/{props.names.name(props.purpose)}",
            target_key_id=self.key.key_id,
        )

    @property
    def arn(self) -> str:
        return self.key.arn


def cloudwatch_logs_grant(*, region: str, account_id: str, partition: str, log_group_prefix: str) -> ServiceGrant:
    """CloudWatch Logs may use the key only for this environment's log groups (by encryption context)."""
    return ServiceGrant(
        sid="CloudWatchLogsEncryptsThisEnvironmentsLogGroups",
        service=f"logs.{region}.amazonaws.com",
        conditions=[
            (
                "ArnLike",
                "kms:EncryptionContext:aws:logs:arn",
                [f"arn:{partition}:logs:{region}:{account_id}:log-group:{log_group_prefix}*"],
            )
        ],
    )
