"""Fixed choices that both the constructs and the pipeline rely on (no CDKTF import here)."""

AWS_PROVIDER_VERSION = "5.100.0"
"""Exactly the version of the offline mirror and of the ``cdktf-cdktf-provider-aws==20.1.0`` bindings."""

MINIMUM_TERRAFORM = (1, 10, 0)
"""S3-native state locking (``use_lockfile``) arrived in Terraform 1.10."""

STATE_WORKSPACE_PREFIX = "workspaces"
"""A workspace's state lives at ``workspaces/<workspace>/<key>`` in the state bucket."""

BASELINE_STACK_PREFIX = "baseline-"
"""An account's baseline stack (its directory, workspace and plans) is ``baseline-<account>``; no environment's
name may start with it."""

FUNCTION_PURPOSE = "data-api"
"""The platform's one Lambda function is ``ServerlessApp-data-api-<env>`` (``ResourceNames.function``)."""

INSIGHT_TYPES: tuple[str, ...] = ("ApiCallRateInsight", "ApiErrorRateInsight")
"""What CloudTrail Insights watches when ``audit.insights`` is on: both kinds it offers."""

TABLE_OPERATIONS: tuple[str, ...] = ("GetItem", "PutItem")
"""The DynamoDB operations the data API function calls on its table (``lambda_src/data_api/handler.py``). DynamoDB
publishes ``ThrottledRequests`` and ``SystemErrors`` per operation only, so the table's alarms add these up."""

BUCKET_METRICS_FILTER = "EntireBucket"
"""The id of the data bucket's S3 request-metrics configuration, which covers the whole bucket; its metrics carry
it as the ``FilterId`` dimension."""

BACKUP_VAULT_PURPOSE = "backups"
"""AWS Backup's vault, plan and selection of an environment are ``<project>-backups-<env>``."""

BACKUP_ROLE_PURPOSE = "backup"
"""The role AWS Backup backs up and restores an environment's resources as: ``<project>-backup-<env>``."""

SERVICES_WITHOUT_SOURCE_KEYS: tuple[str, ...] = ("ec2.amazonaws.com", "backup.amazonaws.com")
"""Services whose role trust cannot hold them to the account with ``aws:SourceAccount``: EC2 sets none when it
assumes an instance role, and AWS Backup documents none when it assumes its service role. Another account's service
could use such a role only if someone there could pass it, and ``iam:PassRole`` stops at the account. The platform's
roles for them (``ServiceRole`` with ``account_condition=False``) are the only ones verify lets trust without it."""
