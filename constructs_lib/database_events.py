"""RDS event subscriptions: what RDS says about the database reaches the alarm topic.

CloudWatch alarms watch metrics; RDS *events* say what no metric shows: the
instance failed, failed over, ran out of storage, was rebooted, patched or
reconfigured, or its parameter group changed. What it creates, and why:

* ``<project>-database-events-<env>``: the instance's events (source type
  ``db-instance``), in the categories an on-call engineer acts on
  (``platform_core/rds_events.py``, which verification reads too). Left out:
  ``backup``, ``creation`` and ``restoration`` (routine, daily or one-off), and
  ``read replica`` (the platform runs no replicas; the multi-AZ standby reports
  through ``failover``).
* ``<project>-database-parameter-events-<env>``: the parameter group's
  ``configuration change`` events (source type ``db-parameter-group``), the
  only category RDS has for it: someone changed a setting such as
  ``require_secure_transport``.

No subscription for the security group: RDS's ``db-security-group`` source type
is the DB security group of EC2-Classic, which AWS retired; the database's VPC
security group is an EC2 resource, and RDS emits no event for it (its changes
are recorded by CloudTrail and AWS Config instead).

RDS publishes as ``events.rds.amazonaws.com``: the alarm topic's policy and the
logs key (which encrypts the topic) admit it only for this environment's
instance and parameter groups (:func:`database_event_source_arns`).
"""

from __future__ import annotations

from dataclasses import dataclass

from constructs import Construct

from constructs_lib.context import PlatformContext, StackScope
from platform_core.rds_events import SUBSCRIPTIONS
from synth_runtime.provider_bindings import aws


def database_event_source_arns(where: StackScope, identifier: str) -> list[str]:
    """The RDS resources whose events may reach the alarm topic: the instance, and its parameter
    groups (named ``<identifier>-<suffix>`` through ``name_prefix``). Built from names, so the topic
    policy and the key policy need not wait for the database."""
    return [where.arn("rds", f"db:{identifier}"), where.arn("rds", f"pg:{identifier}-*")]


@dataclass(frozen=True)
class DatabaseEventsProps:
    """The instance and the parameter group whose events are sent to the alarm topic."""

    instance_identifier: str
    parameter_group_name: str


class DatabaseEvents(Construct):
    """The instance's and its parameter group's RDS events, to the alarm topic. See the module docstring."""

    def __init__(self, scope: Construct, construct_id: str, ctx: PlatformContext, props: DatabaseEventsProps) -> None:
        super().__init__(scope, construct_id)
        sources = {
            "database-events": ("instance", props.instance_identifier),
            "database-parameter-events": ("parameter-group", props.parameter_group_name),
        }
        self.subscriptions = {}
        for purpose, (source_type, categories) in SUBSCRIPTIONS.items():
            slug, source_id = sources[purpose]
            name = ctx.names.name(purpose)
            self.subscriptions[slug] = aws.db_event_subscription.DbEventSubscription(
                self,
                f"{slug}-events",
                name=name,
                sns_topic=ctx.alarm_topic_arn,
                source_type=source_type,
                source_ids=[source_id],
                event_categories=list(categories),
                enabled=True,
                tags={"Name": name},
            )
