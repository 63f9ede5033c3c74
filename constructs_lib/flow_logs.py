"""VPC flow logs, created inside the :class:`~constructs_lib.network.Network` construct."""

from __future__ import annotations

from constructs import Construct

from constructs_lib.context import StackScope
from constructs_lib.iam_documents import statement
from constructs_lib.identity import ServiceRole, ServiceRoleProps
from constructs_lib.logs import EncryptedLogGroup, EncryptedLogGroupProps
from synth_runtime.provider_bindings import aws


def vpc_flow_logs(network: Construct, where: StackScope, *, vpc_id: str, retention_days: int, kms_key_arn: str) -> EncryptedLogGroup:
    """Flow logs of ALL traffic of the VPC, to an encrypted log group, through a role only VPC Flow Logs of
    this account can assume. Returns the log group."""
    log_group = EncryptedLogGroup(
        network,
        "flow-log-group",
        EncryptedLogGroupProps(
            name=where.names.log_group("vpc-flow-logs"),
            retention_days=retention_days,
            kms_key_arn=kms_key_arn,
        ),
    )
    group_arn = where.arn("logs", f"log-group:{where.names.log_group('vpc-flow-logs')}")
    role = ServiceRole(
        network,
        "flow-log-role",
        where,
        ServiceRoleProps(
            purpose="vpc-flow-logs",
            description="Lets VPC Flow Logs of this account write to the environment's flow-log group",
            service="vpc-flow-logs.amazonaws.com",
            source_arn=where.arn("ec2", "vpc-flow-log/*"),
            statements=[
                statement(
                    "WriteToTheFlowLogGroup",
                    actions=["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                    # Built from the name, not read from the resource, so a change to the
                    # log group does not defer this document and add noise to the plan.
                    resources=[group_arn, f"{group_arn}:*"],
                ),
                statement(
                    "FindTheFlowLogGroup",
                    actions=["logs:DescribeLogGroups"],
                    resources=[where.arn("logs", "log-group:*")],
                ),
            ],
        ),
    )
    aws.flow_log.FlowLog(
        network,
        "flow-log",
        vpc_id=vpc_id,
        traffic_type="ALL",
        log_destination_type="cloud-watch-logs",
        log_destination=log_group.arn,
        iam_role_arn=role.arn,
        max_aggregation_interval=60,
        tags={"Name": where.names.name("vpc-flow-log")},
    )
    return log_group

