"""IAM002: every policy is rendered by an aws_iam_policy_document data source, never hand-written JSON."""

from __future__ import annotations

from collections.abc import Iterable

from constructs_lib.rules import Finding, StackDocument

POLICY_ATTRIBUTES: dict[str, str] = {
    "aws_iam_role": "assume_role_policy",
    "aws_iam_role_policy": "policy",
    "aws_iam_policy": "policy",
    "aws_iam_user_policy": "policy",
    "aws_iam_group_policy": "policy",
    "aws_kms_key": "policy",
    "aws_kms_key_policy": "policy",
    "aws_s3_bucket_policy": "policy",
    "aws_sns_topic_policy": "policy",
    "aws_sqs_queue_policy": "policy",
    "aws_api_gateway_rest_api_policy": "policy",
    "aws_secretsmanager_secret_policy": "policy",
    "aws_vpc_endpoint": "policy",
}


class IamDocuments:
    id = "IAM002"
    description = "Every IAM, key, bucket, topic, queue, API and endpoint policy comes from an aws_iam_policy_document data source"
    fix = "build the policy with constructs_lib.iam_documents.policy_document(...) and pass its .json"

    def check(self, stack: StackDocument) -> Iterable[Finding]:
        for resource in stack.blocks("resource", POLICY_ATTRIBUTES):
            attribute = POLICY_ATTRIBUTES[resource.type]
            value = resource.body.get(attribute)
            if value is not None and stack.policy_statements(value) is None:
                yield Finding(resource, f"{attribute} is not rendered by an aws_iam_policy_document data source")


RULE = IamDocuments()
