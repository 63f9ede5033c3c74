"""What the account baseline turns on, as data: shared by its constructs and by verification."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

SECURITY_HUB_STANDARDS: dict[str, str] = {
    "CIS AWS Foundations Benchmark": "cis-aws-foundations-benchmark/v/3.0.0",
    "AWS Foundational Security Best Practices": "aws-foundational-security-best-practices/v/1.0.0",
}
"""Security Hub standards by title: ``arn:<partition>:securityhub:<region>::standards/<path>``."""


def standard_arn(partition: str, region: str, path: str) -> str:
    return f"arn:{partition}:securityhub:{region}::standards/{path}"


@dataclass(frozen=True)
class ConfigRule:
    """An AWS managed Config rule: its identifier, its parameters, and whether it is about global (IAM)
    resources, which are evaluated in the home region only, where they are recorded."""

    identifier: str
    parameters: Mapping[str, str] = field(default_factory=dict)
    global_resources: bool = False


CONFIG_RULES: dict[str, ConfigRule] = {
    "encrypted-volumes": ConfigRule("ENCRYPTED_VOLUMES"),
    "ec2-ebs-encryption-by-default": ConfigRule("EC2_EBS_ENCRYPTION_BY_DEFAULT"),
    "ec2-imdsv2-check": ConfigRule("EC2_IMDSV2_CHECK"),
    "rds-storage-encrypted": ConfigRule("RDS_STORAGE_ENCRYPTED"),
    "rds-instance-public-access-check": ConfigRule("RDS_INSTANCE_PUBLIC_ACCESS_CHECK"),
    "s3-account-level-public-access-blocks": ConfigRule("S3_ACCOUNT_LEVEL_PUBLIC_ACCESS_BLOCKS_PERIODIC"),
    "s3-bucket-public-read-prohibited": ConfigRule("S3_BUCKET_PUBLIC_READ_PROHIBITED"),
    "s3-bucket-public-write-prohibited": ConfigRule("S3_BUCKET_PUBLIC_WRITE_PROHIBITED"),
    "s3-bucket-ssl-requests-only": ConfigRule("S3_BUCKET_SSL_REQUESTS_ONLY"),
    "cloudtrail-enabled": ConfigRule("CLOUD_TRAIL_ENABLED"),
    "cloud-trail-log-file-validation-enabled": ConfigRule("CLOUD_TRAIL_LOG_FILE_VALIDATION_ENABLED"),
    "cloudwatch-log-group-encrypted": ConfigRule("CLOUDWATCH_LOG_GROUP_ENCRYPTED"),
    "vpc-flow-logs-enabled": ConfigRule("VPC_FLOW_LOGS_ENABLED"),
    "restricted-ssh": ConfigRule("INCOMING_SSH_DISABLED"),
    "kms-cmk-not-scheduled-for-deletion": ConfigRule("KMS_CMK_NOT_SCHEDULED_FOR_DELETION"),
    "guardduty-enabled-centralized": ConfigRule("GUARDDUTY_ENABLED_CENTRALIZED"),
    "iam-password-policy": ConfigRule("IAM_PASSWORD_POLICY", global_resources=True),
    "root-account-mfa-enabled": ConfigRule("ROOT_ACCOUNT_MFA_ENABLED", global_resources=True),
    "iam-root-access-key-check": ConfigRule("IAM_ROOT_ACCESS_KEY_CHECK", global_resources=True),
    "mfa-enabled-for-iam-console-access": ConfigRule("MFA_ENABLED_FOR_IAM_CONSOLE_ACCESS", global_resources=True),
    "iam-user-no-policies-check": ConfigRule("IAM_USER_NO_POLICIES_CHECK", global_resources=True),
    "iam-policy-no-statements-with-admin-access": ConfigRule("IAM_POLICY_NO_STATEMENTS_WITH_ADMIN_ACCESS", global_resources=True),
    "access-keys-rotated": ConfigRule("ACCESS_KEYS_ROTATED", {"maxAccessKeyAge": "90"}, global_resources=True),
    "iam-user-unused-credentials-check": ConfigRule(
        "IAM_USER_UNUSED_CREDENTIALS_CHECK", {"maxCredentialUsageAge": "45"}, global_resources=True
    ),
}
"""AWS managed Config rules by the rule's name in the account: each mirrors a promise the platform makes, or a CIS
control no code can set (the root user's MFA and access keys, key rotation, unused credentials), so a resource
made outside the platform, or a person, that breaks it is found."""

INSPECTOR_RESOURCE_TYPES: tuple[str, ...] = ("EC2", "LAMBDA")
"""What Amazon Inspector scans."""

SUPPORT_POLICY = "AWSSupportAccess"
"""The AWS-managed policy of the support role (CIS 1.17)."""

GUARDDUTY_ALWAYS_ON: tuple[str, ...] = ("S3_DATA_EVENTS", "RDS_LOGIN_EVENTS", "LAMBDA_NETWORK_LOGS")
"""GuardDuty protection features (provider 5.100.0 names) every detector has."""
GUARDDUTY_MALWARE_PROTECTION = "EBS_MALWARE_PROTECTION"
GUARDDUTY_RUNTIME_MONITORING = "RUNTIME_MONITORING"
GUARDDUTY_RUNTIME_AGENT = "EC2_AGENT_MANAGEMENT"
"""Runtime monitoring's additional configuration: GuardDuty installs and updates its agent on EC2 instances."""


def guardduty_features(malware_protection: bool, runtime_monitoring: bool) -> list[str]:
    """The detector's enabled features, as the account's ``features`` turn the optional ones on."""
    wanted = list(GUARDDUTY_ALWAYS_ON)
    if malware_protection:
        wanted.append(GUARDDUTY_MALWARE_PROTECTION)
    if runtime_monitoring:
        wanted.append(GUARDDUTY_RUNTIME_MONITORING)
    return wanted
