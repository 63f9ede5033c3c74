"""Resource types whose replacement loses nothing: they hold settings, never data.

The plan review (``ops/review.py``) calls a plan destructive when it replaces or
deletes something, because a replaced database, bucket, table or key takes its
data with it. Some replacements are not like that: the resource is only
configuration, Terraform makes the new one first, the resources using it switch
to it in place, and only then is the old one removed. Such a replacement,
planned create-before-destroy, is listed apart in the review with the reason
below, and does not make the plan destructive. A deletion always does, and so
does a replacement planned destroy-first (the reason would not hold).

A type belongs here only if nothing of value lives in it that the configuration
does not recreate exactly. One entry per type, with the reason a reviewer reads.
"""

from __future__ import annotations

from collections.abc import Mapping

STATELESS_REPLACEMENTS: Mapping[str, str] = {
    "aws_db_parameter_group": (
        "holds no data: a DB parameter group is only the settings the configuration declares; the new group "
        "is created first (create_before_destroy), the instance switches to it in place, then the old one "
        "goes (a new major version changes its family, which forces this)"
    ),
}
"""Resource type -> why replacing it loses no data."""


CREATE_BEFORE_DESTROY = ["create", "delete"]
"""A replacement's actions in ``terraform show -json`` when the new object is made first."""


def stateless_replacement_reason(resource_type: str, actions: list[str]) -> str | None:
    """Why this change holds no data: a create-before-destroy replacement of a listed type; else None."""
    return STATELESS_REPLACEMENTS.get(resource_type) if actions == CREATE_BEFORE_DESTROY else None
