"""What the VPC's endpoints let through beyond this account, as data (the endpoint policies and verification share it)."""

from __future__ import annotations

AWS_OWNED_BUCKETS: tuple[tuple[str, str], ...] = (
    ("al2023-repos-{region}-de612dc2", "the Amazon Linux 2023 package repositories: dnf installs and updates on the app servers"),
    ("amazonlinux-2-repos-{region}", "the Amazon Linux 2 package repositories, for an environment whose AMI is Amazon Linux 2"),
    ("amazon-ssm-{region}", "SSM Agent updates (AWS-UpdateSSMAgent)"),
    ("amazon-ssm-packages-{region}", "packages that Systems Manager installs (AWS-ConfigureAWSPackage)"),
    ("{region}-birdwatcher-prod", "Systems Manager Distributor packages"),
    ("aws-ssm-distributor-file-{region}", "Systems Manager Distributor files"),
    ("aws-ssm-document-attachments-{region}", "attachments of AWS-owned SSM documents"),
    ("aws-ssm-{region}", "AWS-owned SSM documents and their scripts"),
    ("patch-baseline-snapshot-{region}", "Patch Manager's baseline snapshots, for patching the app servers"),
)
"""AWS-owned buckets in the endpoint's region that the app servers read through the S3 gateway, each with its
reason: the package repositories, and what the SSM agent fetches. Those reads are anonymous, so no account
condition could hold them; the policy names the buckets instead, for ``s3:GetObject`` only."""

ACCOUNT_SCOPED_SERVICES: dict[str, str] = {
    "dynamodb": "dynamodb",
    "execute-api": "execute-api",
    "kms": "kms",
    "lambda": "lambda",
    "logs": "logs",
    "secretsmanager": "secretsmanager",
    "sns": "sns",
    "sqs": "sqs",
}
"""Endpoint service -> the service in its ARNs, where every resource the platform calls is an ARN of this account
and region, so the policy names only those. The other services (STS, SSM, the message channels, CloudWatch
metrics, ECR, EC2) touch AWS-owned resources or none, and are held by ``aws:PrincipalAccount`` alone."""


ACTION_PREFIXES: dict[str, str] = {"ecr.api": "ecr", "ecr.dkr": "ecr", "monitoring": "cloudwatch"}
"""Endpoint services whose IAM action prefix is not their own name (``com.amazonaws.<region>.monitoring`` serves
``cloudwatch:`` actions)."""


def action_prefix(service: str) -> str:
    """The IAM action prefix of the calls an endpoint for ``service`` serves."""
    return ACTION_PREFIXES.get(service, service)


def aws_owned_bucket_objects(partition: str, region: str) -> list[str]:
    """The object ARNs (``arn:<partition>:s3:::<bucket>/*``) of :data:`AWS_OWNED_BUCKETS` in ``region``."""
    return [f"arn:{partition}:s3:::{bucket.format(region=region)}/*" for bucket, _ in AWS_OWNED_BUCKETS]
