"""CloudTrail: trails deleted and described by name or ARN; Insights selectors replaced and described."""

from __future__ import annotations

import json
from typing import Any


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


def trails_are_described_by_name_or_arn() -> None:
    """moto's DescribeTrails ignores ``trailNameList`` and returns every trail; the AWS provider
    reads a trail by its ARN and fails with "too many results" as soon as two environments share
    an account. AWS returns only the trails named (by name or ARN); so does this."""
    from moto.cloudtrail.responses import CloudTrailResponse

    def describe_trails(self: CloudTrailResponse) -> str:
        include_shadow_trails = self._get_bool_param("includeShadowTrails", True)
        wanted = set(self._get_param("trailNameList") or [])
        trails = self.cloudtrail_backend.describe_trails(include_shadow_trails)
        if wanted:
            trails = [t for t in trails if t.trail_name in wanted or t.arn in wanted]
        return json.dumps({"trailList": [t.description(include_region=True) for t in trails]})

    CloudTrailResponse.describe_trails = describe_trails  # type: ignore[method-assign]


def trail_selectors_are_replaced_and_described() -> None:
    """moto's PutInsightSelectors appends to the trail's selectors instead of replacing them (so Insights can
    never be turned off, and a second put doubles them), and its trail description always says
    ``HasInsightSelectors: false`` and ``HasCustomEventSelectors: false``. The AWS provider reads a trail's
    Insights only when the description says it has some, so a change made outside Terraform would go unseen.
    AWS replaces the selectors and describes what the trail has; so does this."""
    from moto.cloudtrail.models import Trail

    original_description = Trail.description

    def put_insight_selectors(self: Trail, insight_selectors: list[dict[str, str]]) -> None:
        self.insight_selectors = list(insight_selectors)

    def description(self: Trail, include_region: bool = False) -> dict[str, Any]:
        described = original_description(self, include_region)
        described["HasInsightSelectors"] = bool(self.insight_selectors)
        described["HasCustomEventSelectors"] = bool(self.event_selectors or self.advanced_event_selectors)
        return described

    Trail.put_insight_selectors = put_insight_selectors  # type: ignore[method-assign]
    Trail.description = description  # type: ignore[method-assign]
