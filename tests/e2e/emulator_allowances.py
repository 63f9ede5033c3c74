"""The only differences a second plan against the emulator may show, each with its reason.

After ``make deploy``, a second plan must be empty. Where the emulator (moto)
answers differently from AWS and the AWS provider therefore plans an in-place
update that AWS would not, the exact address pattern and attribute are listed
here. Nothing else is tolerated, and nothing here is ever tolerated on AWS.
The AWS configuration is never changed to please the emulator.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass


@dataclass(frozen=True)
class Allowance:
    address: str
    """An fnmatch pattern over the resource address."""
    attribute: str
    """The attribute path the update may touch (a prefix)."""
    reason: str


PERFORMANCE_INSIGHTS = "moto does not implement Performance Insights, so it reads back as off"
ALLOWANCES: tuple[Allowance, ...] = (
    Allowance("aws_db_instance.database_instance_*", "performance_insights_enabled", PERFORMANCE_INSIGHTS),
    Allowance("aws_db_instance.database_instance_*", "performance_insights_kms_key_id", PERFORMANCE_INSIGHTS),
    Allowance("aws_db_instance.database_instance_*", "performance_insights_retention_period", PERFORMANCE_INSIGHTS),
    Allowance(
        "aws_db_parameter_group.database_parameter-group_*",
        "parameter",
        "moto does not return a parameter's source, so the provider drops require_secure_transport from state",
    ),
    Allowance(
        "aws_vpc_security_group_egress_rule.compute_mysql-to-database_*",
        "description",
        "moto drops the description of a rule that references another security group",
    ),
    Allowance(
        "aws_vpc_security_group_ingress_rule.database_mysql-from-app_*",
        "description",
        "moto drops the description of a rule that references another security group",
    ),
)
"""Each entry is an in-place update the emulator causes and AWS would not."""


def unexplained(changes: list[dict]) -> list[str]:
    """Changes of a second plan that no allowance explains, as readable lines."""
    problems = []
    for change in changes:
        if change["action"] != "update":
            problems.append(f"{change['action']} {change['address']}")
            continue
        for attribute in change["changed_attributes"] or ["(no attribute)"]:
            if not any(
                fnmatch.fnmatchcase(change["address"], a.address) and attribute.startswith(a.attribute) for a in ALLOWANCES
            ):
                problems.append(f"update {change['address']}: {attribute}")
    return problems
