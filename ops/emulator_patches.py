"""Where moto answers differently from AWS in a way the AWS provider cannot live with.

Each patch is one function, named after the quirk, applied inside the emulator
process only (``ops/moto_server.py``). None of them changes what the platform
deploys; they make the emulator behave the way AWS does. README.md lists them
under "Emulator differences".
"""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Callable, Mapping
from typing import Any

EMULATOR_REQUEST_CONTEXT: Mapping[str, str] = {"aws:SecureTransport": "true"}
"""The request context bucket policies are evaluated in. The emulator listens on
plain HTTP on loopback, standing in for AWS's HTTPS endpoints, so a request is
treated as having arrived over TLS."""


def _condition_holds(operator: str, key: str, expected: Any, context: Mapping[str, str]) -> bool:
    """One condition, with AWS's semantics: a missing key fails it unless the operator ends in IfExists."""
    base = operator.removesuffix("IfExists")
    if key not in context:
        return operator.endswith("IfExists")
    actual = context[key]
    values = [str(v) for v in (expected if isinstance(expected, list) else [expected])]
    if base == "Bool":
        return any(v.lower() == actual.lower() for v in values)
    if base in ("StringEquals", "ArnEquals"):
        return actual in values
    if base in ("StringNotEquals", "ArnNotEquals"):
        return actual not in values
    if base in ("StringLike", "ArnLike"):
        return any(fnmatch.fnmatchcase(actual, v) for v in values)
    if base in ("StringNotLike", "ArnNotLike"):
        return not any(fnmatch.fnmatchcase(actual, v) for v in values)
    return False


def _statement_applies(statement: Mapping[str, Any], context: Mapping[str, str]) -> bool:
    conditions = statement.get("Condition") or {}
    return all(
        _condition_holds(operator, key, expected, context)
        for operator, pairs in conditions.items()
        for key, expected in pairs.items()
    )


def bucket_policy_conditions_are_evaluated() -> None:
    """moto evaluates bucket-policy conditions without any request context and treats an
    operator it does not know (``Bool``) as matching, so a conditional Deny such as
    "deny unless aws:SecureTransport" denies every request, including Terraform's state
    reads. Here a statement whose conditions do not hold is skipped, as on AWS."""
    from moto.iam.access_control import IAMPolicyStatement, PermissionResult
    from moto.s3.models import FakeBucket

    def get_permission(self: FakeBucket, action: str, resource: str) -> Any:
        if self.policy is None:
            return PermissionResult.NEUTRAL
        document = json.loads(self.policy)
        statements = document["Statement"] if isinstance(document["Statement"], list) else [document["Statement"]]
        permitted = False
        for statement in statements:
            if not _statement_applies(statement, EMULATOR_REQUEST_CONTEXT):
                continue
            unconditional = {k: v for k, v in statement.items() if k != "Condition"}
            result = IAMPolicyStatement(unconditional).is_action_permitted(action, resource)
            if result == PermissionResult.DENIED:
                return result
            permitted = permitted or result == PermissionResult.PERMITTED
        return PermissionResult.PERMITTED if permitted else PermissionResult.NEUTRAL

    FakeBucket.get_permission = get_permission  # type: ignore[method-assign]


def trail_deletion_accepts_an_arn() -> None:
    """moto's DeleteTrail looks the trail up by name only and silently does nothing for an
    ARN, which is what the AWS provider sends; the trail would outlive ``terraform destroy``.
    AWS accepts either, and so does this."""
    from moto.cloudtrail.models import CloudTrailBackend

    original = CloudTrailBackend.delete_trail

    def delete_trail(self: CloudTrailBackend, name: str) -> None:
        for trail_name, trail in list(self.trails.items()):
            if trail.arn == name:
                name = trail_name
        original(self, name)

    CloudTrailBackend.delete_trail = delete_trail  # type: ignore[method-assign]


PATCHES: list[Callable[[], None]] = [bucket_policy_conditions_are_evaluated, trail_deletion_accepts_an_arn]


def apply_patches() -> None:
    for patch in PATCHES:
        patch()
