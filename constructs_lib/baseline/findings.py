"""High-severity findings, to people: an EventBridge rule and an encrypted topic the security contact hears.

With Security Hub on, its home region aggregates every covered region's findings, and
GuardDuty, Inspector, Access Analyzer and Config all report into it; one rule on its
imported findings of severity HIGH or CRITICAL then sees everything once. With Security
Hub off, the rule watches GuardDuty's findings of severity 7 and above in the home region.

The topic is encrypted with its own key; EventBridge may use the key and publish to the
topic only for this rule, and S3 only for the deletions and ACL changes of the account's
Config buckets (their event notifications); publishing without TLS is denied. The security
contact's address is subscribed (AWS asks it to confirm).

The CIS monitoring alarms (CIS 4.1 to 4.15: metric filters on CloudTrail's log group)
are not here: every environment's trail already has them (``constructs_lib/cis_alarms.py``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import cached_property

from constructs import Construct

from constructs_lib.context import StackScope
from constructs_lib.encryption import EncryptionKey, EncryptionKeyProps, ServiceGrant
from constructs_lib.iam_documents import policy_document, statement
from synth_runtime.provider_bindings import aws

SECURITY_HUB_PATTERN = {
    "source": ["aws.securityhub"],
    "detail-type": ["Security Hub Findings - Imported"],
    "detail": {"findings": {"Severity": {"Label": ["HIGH", "CRITICAL"]}, "Workflow": {"Status": ["NEW"]}, "RecordState": ["ACTIVE"]}},
}
"""New, active Security Hub findings of severity HIGH or CRITICAL, from any covered region (through the aggregator)."""

GUARDDUTY_PATTERN = {
    "source": ["aws.guardduty"],
    "detail-type": ["GuardDuty Finding"],
    "detail": {"severity": [{"numeric": [">=", 7]}]},
}
"""GuardDuty findings of severity 7 (HIGH) and above, when Security Hub is off."""


class FindingsNotification(Construct):
    """``<project>-findings-<account>``: the rule, the encrypted topic and the contact's subscription."""

    def __init__(
        self, scope: Construct, construct_id: str, where: StackScope, *, from_security_hub: bool, email: str,
        deletion_window_days: int, notifying_bucket_arns: Sequence[str] = (),
    ) -> None:
        super().__init__(scope, construct_id)
        name = where.names.name("findings")
        topic_arn, rule_arn = where.arn("sns", name), where.arn("events", f"rule/{name}")
        this_account = ("StringEquals", "aws:SourceAccount", [where.account_id])
        from_rule = [this_account, ("ArnEquals", "aws:SourceArn", [rule_arn])]
        from_buckets = [this_account, ("ArnLike", "aws:SourceArn", list(notifying_bucket_arns))]
        self.key = EncryptionKey(self, "key", where, EncryptionKeyProps(
            purpose="findings", description=f"Encrypts the security findings topic ({where.names.project} account {where.names.environment})",
            deletion_window_days=deletion_window_days, prevent_destroy=False,
            service_grants=[
                ServiceGrant(sid="EventBridgePublishesFindingsToTheTopic", service="events.amazonaws.com",
                             actions=("kms:GenerateDataKey*", "kms:Decrypt"), conditions=from_rule),
                *([ServiceGrant(sid="S3PublishesConfigBucketEventsToTheTopic", service="s3.amazonaws.com",
                                actions=("kms:GenerateDataKey*", "kms:Decrypt"), conditions=from_buckets)] if notifying_bucket_arns else []),
            ],
        ))
        self.topic = aws.sns_topic.SnsTopic(self, "topic", name=name, kms_master_key_id=self.key.arn, tags={"Name": name})
        aws.sns_topic_policy.SnsTopicPolicy(self, "policy", arn=self.topic.arn, policy=policy_document(self, "policy-document", [
            statement("TheFindingsRulePublishes", actions=["sns:Publish"], resources=[topic_arn],
                      principals={"Service": ["events.amazonaws.com"]}, conditions=from_rule),
            *([statement("ConfigBucketsPublishEvents", actions=["sns:Publish"], resources=[topic_arn],
                         principals={"Service": ["s3.amazonaws.com"]}, conditions=from_buckets)] if notifying_bucket_arns else []),
            statement("DenyPublishWithoutTls", effect="Deny", actions=["sns:Publish"], resources=[topic_arn],
                      principals={"AWS": ["*"]}, conditions=[("Bool", "aws:SecureTransport", ["false"])]),
        ]))
        self.rule = aws.cloudwatch_event_rule.CloudwatchEventRule(
            self, "rule", name=name, description="High-severity security findings, to the security contact",
            event_pattern=json.dumps(SECURITY_HUB_PATTERN if from_security_hub else GUARDDUTY_PATTERN), tags={"Name": name},
        )
        aws.cloudwatch_event_target.CloudwatchEventTarget(self, "to-topic", rule=self.rule.name, arn=self.topic.arn, target_id="findings-topic")
        aws.sns_topic_subscription.SnsTopicSubscription(self, "contact", topic_arn=self.topic.arn, protocol="email", endpoint=email)

    @cached_property
    def topic_arn(self) -> str:
        return self.topic.arn
