"""Which RDS events of an environment's database reach its alarm topic: one table, read by the
construct that subscribes (``constructs_lib/database_events.py``) and by verification
(``ops/verify/database.py``)."""

from __future__ import annotations

INSTANCE_EVENT_CATEGORIES: tuple[str, ...] = (
    "availability",
    "configuration change",
    "deletion",
    "failover",
    "failure",
    "low storage",
    "maintenance",
    "notification",
    "recovery",
    "security patching",
)
"""The ``db-instance`` categories that need a person: outages, failovers, failures, storage,
maintenance and patches, configuration changes, deletion, and RDS's own notices. Left out:
``backup``, ``creation`` and ``restoration`` (routine, daily or one-off), and ``read replica``
(the platform runs no replicas; the multi-AZ standby reports through ``failover``)."""

PARAMETER_GROUP_EVENT_CATEGORIES: tuple[str, ...] = ("configuration change",)
"""RDS's one category for a ``db-parameter-group``."""

SUBSCRIPTIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "database-events": ("db-instance", INSTANCE_EVENT_CATEGORIES),
    "database-parameter-events": ("db-parameter-group", PARAMETER_GROUP_EVENT_CATEGORIES),
}
"""Subscription purpose (its name is ``<project>-<purpose>-<env>``) -> (source type, categories)."""
