"""Monitoring: the alarm topic every alarm and notification goes to.

:class:`AlarmTopic` is a KMS-encrypted SNS topic whose policy lets exactly two
services publish, each only for this account: CloudWatch alarms, and the data
lake's buckets (event notifications). Publishing without TLS is denied.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from constructs import Construct

from constructs_lib.iam_documents import policy_document, statement
from constructs_lib.naming import ResourceNames
from constructs_lib.provider_bindings import aws


@dataclass(frozen=True)
class AlarmTopicProps:
    names: ResourceNames
    region: str
    account_id: str
    partition: str
    kms_key_arn: str
    publishing_bucket_arns: Sequence[str]


def topic_arn(props: AlarmTopicProps, name: str) -> str:
    return f"arn:{props.partition}:sns:{props.region}:{props.account_id}:{name}"


class AlarmTopic(Construct):
    """``<project>-alarms-<env>``: encrypted, published to by CloudWatch alarms and the data-lake buckets only."""

    def __init__(self, scope: Construct, construct_id: str, props: AlarmTopicProps) -> None:
        super().__init__(scope, construct_id)
        name = props.names.name("alarms")
        arn = topic_arn(props, name)
        account = [("StringEquals", "aws:SourceAccount", [props.account_id])]
        self.topic = aws.sns_topic.SnsTopic(
            self, "topic", name=name, kms_master_key_id=props.kms_key_arn, tags={"Name": name}
        )
        self.policy = aws.sns_topic_policy.SnsTopicPolicy(
            self,
            "policy",
            arn=self.topic.arn,
            policy=policy_document(
                self,
                "policy-document",
                [
                    statement(
                        "CloudWatchAlarmsPublish",
                        actions=["sns:Publish"],
                        resources=[arn],
                        principals={"Service": ["cloudwatch.amazonaws.com"]},
                        conditions=[
                            *account,
                            (
                                "ArnLike",
                                "aws:SourceArn",
                                [f"arn:{props.partition}:cloudwatch:{props.region}:{props.account_id}:alarm:*"],
                            ),
                        ],
                    ),
                    statement(
                        "DataLakeBucketsPublishEvents",
                        actions=["sns:Publish"],
                        resources=[arn],
                        principals={"Service": ["s3.amazonaws.com"]},
                        conditions=[*account, ("ArnLike", "aws:SourceArn", list(props.publishing_bucket_arns))],
                    ),
                    statement(
                        "DenyPublishWithoutTls",
                        effect="Deny",
                        actions=["sns:Publish"],
                        resources=[arn],
                        principals={"AWS": ["*"]},
                        conditions=[("Bool", "aws:SecureTransport", ["false"])],
                    ),
                ],
            ),
        )

    @property
    def arn(self) -> str:
        return self.topic.arn
