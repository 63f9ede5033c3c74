"""Security services: GuardDuty detector features; Security Hub configuration, standards and finding aggregators."""

from __future__ import annotations

import json
from typing import Any

# --------------------------------------------------------------------------- GuardDuty


def guardduty_detector_features_are_merged_by_name() -> None:
    """moto's UpdateDetector replaces the detector's whole ``features`` list with the one in the
    request. ``aws_guardduty_detector_feature`` sends one feature per call, so with several feature
    resources only the last one survives and every other read fails with "empty result". AWS
    updates only the features named in the request (and, within one, only the additional
    configurations named); so does this."""
    from moto.guardduty.models import Detector

    original_update = Detector.update

    def merge(current: list[dict[str, Any]], given: list[dict[str, Any]]) -> list[dict[str, Any]]:
        by_name = {item["name"]: dict(item) for item in current}
        for item in given:
            old = by_name.get(item["name"], {})
            new = {**old, **item}
            if "additionalConfiguration" in item or "additionalConfiguration" in old:
                new["additionalConfiguration"] = merge(
                    old.get("additionalConfiguration") or [], item.get("additionalConfiguration") or []
                )
            by_name[item["name"]] = new
        return list(by_name.values())

    def update(self: Detector, enable: Any, finding_publishing_frequency: Any, data_sources: Any, features: Any) -> None:
        if features is not None:
            features = merge(self.features, features)
        original_update(self, enable, finding_publishing_frequency, data_sources, features)

    Detector.update = update  # type: ignore[method-assign]


# --------------------------------------------------------------------------- Security Hub


def securityhub_configuration_can_be_updated() -> None:
    """moto raises NotImplementedError (HTTP 500) for UpdateSecurityHubConfiguration, which
    ``aws_securityhub_account`` calls right after EnableSecurityHub; the SDK retries the 500 until
    Terraform gives up, so the account can never be created. AWS stores AutoEnableControls and
    ControlFindingGenerator and returns them from DescribeHub; so does this."""
    from moto.securityhub.exceptions import SecurityHubClientError
    from moto.securityhub.models import SecurityHubBackend
    from moto.securityhub.responses import SecurityHubResponse

    original_enable = SecurityHubBackend.enable_security_hub
    original_describe = SecurityHubBackend.describe_hub

    def enable_security_hub(self: SecurityHubBackend, *args: Any, **kwargs: Any) -> dict[str, Any]:
        if not self.enabled:
            self.auto_enable_controls = True
            self.control_finding_generator = "SECURITY_CONTROL"
        return original_enable(self, *args, **kwargs)

    def describe_hub(self: SecurityHubBackend, hub_arn: str | None = None) -> dict[str, Any]:
        answer = original_describe(self, hub_arn)
        answer["AutoEnableControls"] = getattr(self, "auto_enable_controls", True)
        answer["ControlFindingGenerator"] = getattr(self, "control_finding_generator", "SECURITY_CONTROL")
        return answer

    def update_security_hub_configuration(self: SecurityHubResponse) -> str:
        backend = self.securityhub_backend
        if not backend.enabled:
            raise SecurityHubClientError("InvalidAccessException", "Account is not subscribed to AWS Security Hub")
        params = json.loads(self.body) if self.body else {}
        if params.get("AutoEnableControls") is not None:
            backend.auto_enable_controls = bool(params["AutoEnableControls"])
        if params.get("ControlFindingGenerator"):
            backend.control_finding_generator = params["ControlFindingGenerator"]
        return "{}"

    SecurityHubBackend.enable_security_hub = enable_security_hub  # type: ignore[method-assign]
    SecurityHubBackend.describe_hub = describe_hub  # type: ignore[method-assign]
    SecurityHubResponse.update_security_hub_configuration = update_security_hub_configuration  # type: ignore[attr-defined]


SECURITYHUB_STANDARDS: list[tuple[str, str, bool]] = [
    # (ARN, with {region} where AWS puts the region; name; enabled by default)
    ("arn:aws:securityhub:{region}::standards/aws-foundational-security-best-practices/v/1.0.0",
     "AWS Foundational Security Best Practices v1.0.0", True),
    ("arn:aws:securityhub:{region}::standards/aws-resource-tagging-standard/v/1.0.0", "AWS Resource Tagging Standard v1.0.0", False),
    ("arn:aws:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0", "CIS AWS Foundations Benchmark v1.2.0", True),
    ("arn:aws:securityhub:{region}::standards/cis-aws-foundations-benchmark/v/1.4.0", "CIS AWS Foundations Benchmark v1.4.0", False),
    ("arn:aws:securityhub:{region}::standards/cis-aws-foundations-benchmark/v/3.0.0", "CIS AWS Foundations Benchmark v3.0.0", False),
    ("arn:aws:securityhub:{region}::standards/nist-800-53/v/5.0.0", "NIST Special Publication 800-53 Revision 5", False),
    ("arn:aws:securityhub:{region}::standards/nist-800-171/v/2.0.0", "NIST SP 800-171 Revision 2", False),
    ("arn:aws:securityhub:{region}::standards/pci-dss/v/3.2.1", "PCI DSS v3.2.1", False),
    ("arn:aws:securityhub:{region}::standards/pci-dss/v/4.0.1", "PCI DSS v4.0.1", False),
]
"""The standards AWS Security Hub offers (DescribeStandards); moto 5.2.5 has none."""


def securityhub_standards_can_be_subscribed() -> None:
    """moto has no Security Hub standards at all: BatchEnableStandards, GetEnabledStandards,
    BatchDisableStandards and DescribeStandards have no route (HTTP 404) and no implementation,
    and EnableDefaultStandards is ignored. ``aws_securityhub_standards_subscription`` cannot be
    created. AWS subscribes the account to a standard it offers (subscription ARN
    ``arn:aws:securityhub:<region>:<account>:subscription/<standard>/v/<version>``), reports it
    READY, and removes it on BatchDisableStandards or DisableSecurityHub; so does this. Unknown
    standards ARNs are refused with InvalidInputException, as on AWS."""
    from moto.securityhub import urls
    from moto.securityhub.exceptions import SecurityHubClientError
    from moto.securityhub.models import SecurityHubBackend
    from moto.securityhub.responses import SecurityHubResponse

    for path in ("{0}/standards$", "{0}/standards/register$", "{0}/standards/deregister$", "{0}/standards/get$"):
        urls.url_paths[path] = SecurityHubResponse.dispatch

    def offered(backend: SecurityHubBackend) -> dict[str, tuple[str, bool]]:
        return {arn.format(region=backend.region_name): (name, default) for arn, name, default in SECURITYHUB_STANDARDS}

    def subscriptions(backend: SecurityHubBackend) -> dict[str, dict[str, Any]]:
        if not hasattr(backend, "standards_subscriptions"):
            backend.standards_subscriptions = {}
        return backend.standards_subscriptions

    def subscription_arn(backend: SecurityHubBackend, standards_arn: str) -> str:
        resource = standards_arn.split(":", 5)[5].split("/", 1)[1]  # cis-aws-foundations-benchmark/v/3.0.0
        return f"arn:aws:securityhub:{backend.region_name}:{backend.account_id}:subscription/{resource}"

    def require_hub(backend: SecurityHubBackend) -> None:
        if not backend.enabled:
            raise SecurityHubClientError("InvalidAccessException", "Account is not subscribed to AWS Security Hub")

    def subscribe(backend: SecurityHubBackend, standards_arn: str, standards_input: dict[str, str]) -> dict[str, Any]:
        if standards_arn not in offered(backend):
            raise SecurityHubClientError("InvalidInputException", f"StandardsArn {standards_arn} is not a valid standard in this Region")
        arn = subscription_arn(backend, standards_arn)
        return subscriptions(backend).setdefault(arn, {
            "StandardsSubscriptionArn": arn,
            "StandardsArn": standards_arn,
            "StandardsInput": standards_input or {},
            "StandardsStatus": "READY",
            "StandardsControlsUpdatable": "READY_FOR_UPDATES",
        })

    original_enable = SecurityHubBackend.enable_security_hub
    original_disable = SecurityHubBackend.disable_security_hub

    def enable_security_hub(self: SecurityHubBackend, enable_default_standards: bool = True, tags: Any = None) -> dict[str, Any]:
        was_enabled = self.enabled
        answer = original_enable(self, enable_default_standards=enable_default_standards, tags=tags)
        if not was_enabled and enable_default_standards:
            for arn, (_, default) in offered(self).items():
                if default:
                    subscribe(self, arn, {})
        return answer

    def disable_security_hub(self: SecurityHubBackend) -> dict[str, Any]:
        answer = original_disable(self)
        subscriptions(self).clear()
        return answer

    def params(response: SecurityHubResponse) -> dict[str, Any]:
        return json.loads(response.body) if response.body else {}

    def describe_standards(self: SecurityHubResponse) -> str:
        standards = [
            {"StandardsArn": arn, "Name": name, "Description": name, "EnabledByDefault": default,
             "StandardsManagedBy": {"Company": "AWS", "Product": "Security Hub"}}
            for arn, (name, default) in offered(self.securityhub_backend).items()
        ]
        return json.dumps({"Standards": standards})

    def batch_enable_standards(self: SecurityHubResponse) -> str:
        backend = self.securityhub_backend
        require_hub(backend)
        requests = params(self).get("StandardsSubscriptionRequests") or []
        done = [subscribe(backend, r["StandardsArn"], r.get("StandardsInput") or {}) for r in requests]
        return json.dumps({"StandardsSubscriptions": done})

    def get_enabled_standards(self: SecurityHubResponse) -> str:
        backend = self.securityhub_backend
        require_hub(backend)
        wanted = params(self).get("StandardsSubscriptionArns")
        found = [s for arn, s in subscriptions(backend).items() if not wanted or arn in wanted]
        return json.dumps({"StandardsSubscriptions": found})

    def batch_disable_standards(self: SecurityHubResponse) -> str:
        backend = self.securityhub_backend
        require_hub(backend)
        done = []
        for arn in params(self).get("StandardsSubscriptionArns") or []:
            subscription = subscriptions(backend).pop(arn, None)
            if subscription is None:
                raise SecurityHubClientError("InvalidInputException", f"StandardsSubscriptionArn {arn} is not enabled")
            done.append({**subscription, "StandardsStatus": "DELETING"})
        return json.dumps({"StandardsSubscriptions": done})

    SecurityHubBackend.enable_security_hub = enable_security_hub  # type: ignore[method-assign]
    SecurityHubBackend.disable_security_hub = disable_security_hub  # type: ignore[method-assign]
    SecurityHubResponse.describe_standards = describe_standards  # type: ignore[attr-defined]
    SecurityHubResponse.batch_enable_standards = batch_enable_standards  # type: ignore[attr-defined]
    SecurityHubResponse.get_enabled_standards = get_enabled_standards  # type: ignore[attr-defined]
    SecurityHubResponse.batch_disable_standards = batch_disable_standards  # type: ignore[attr-defined]


def securityhub_findings_can_be_aggregated() -> None:
    """moto has no Security Hub finding aggregators: CreateFindingAggregator and the rest have no route
    (HTTP 404, an HTML page the SDK cannot read), so ``aws_securityhub_finding_aggregator`` cannot be
    created. AWS keeps one aggregator per account, in the region that aggregates
    (``arn:aws:securityhub:<region>:<account>:finding-aggregator/<id>``), refuses a second one, and
    answers Get, Update, Delete and List for it; so does this (it aggregates nothing)."""
    import uuid

    from moto.securityhub import urls
    from moto.securityhub.exceptions import SecurityHubClientError
    from moto.securityhub.models import SecurityHubBackend
    from moto.securityhub.responses import SecurityHubResponse

    for path in ("create", "update", "list", "get/(?P<arn>.+)", "delete/(?P<arn>.+)"):
        urls.url_paths["{0}/findingAggregator/" + path + "$"] = SecurityHubResponse.dispatch

    def aggregators(backend: SecurityHubBackend) -> dict[str, dict[str, Any]]:
        if not hasattr(backend, "finding_aggregators"):
            backend.finding_aggregators = {}
        return backend.finding_aggregators

    def params(response: SecurityHubResponse) -> dict[str, Any]:
        return json.loads(response.body) if response.body else {}

    def named(response: SecurityHubResponse, arn: str) -> dict[str, Any]:
        found = aggregators(response.securityhub_backend).get(arn)
        if found is None:
            raise SecurityHubClientError("ResourceNotFoundException", f"Finding aggregator {arn} not found")
        return found

    def arn_in_path(response: SecurityHubResponse, verb: str) -> str:
        import urllib.parse

        return urllib.parse.unquote(response.path.split(f"/findingAggregator/{verb}/", 1)[1])

    def create_finding_aggregator(self: SecurityHubResponse) -> str:
        backend, given = self.securityhub_backend, params(self)
        if aggregators(backend):
            raise SecurityHubClientError("InvalidInputException", "A finding aggregator already exists in this account")
        arn = f"arn:aws:securityhub:{backend.region_name}:{backend.account_id}:finding-aggregator/{uuid.uuid4()}"
        aggregator = {
            "FindingAggregatorArn": arn, "FindingAggregationRegion": backend.region_name,
            "RegionLinkingMode": given.get("RegionLinkingMode", "ALL_REGIONS"), "Regions": given.get("Regions") or [],
        }
        aggregators(backend)[arn] = aggregator
        return json.dumps(aggregator)

    def get_finding_aggregator(self: SecurityHubResponse) -> str:
        return json.dumps(named(self, arn_in_path(self, "get")))

    def update_finding_aggregator(self: SecurityHubResponse) -> str:
        given = params(self)
        aggregator = named(self, given.get("FindingAggregatorArn", ""))
        aggregator.update(RegionLinkingMode=given.get("RegionLinkingMode", aggregator["RegionLinkingMode"]), Regions=given.get("Regions") or [])
        return json.dumps(aggregator)

    def delete_finding_aggregator(self: SecurityHubResponse) -> str:
        arn = arn_in_path(self, "delete")
        named(self, arn)
        del aggregators(self.securityhub_backend)[arn]
        return "{}"

    def list_finding_aggregators(self: SecurityHubResponse) -> str:
        return json.dumps({"FindingAggregators": [{"FindingAggregatorArn": arn} for arn in aggregators(self.securityhub_backend)]})

    SecurityHubResponse.create_finding_aggregator = create_finding_aggregator  # type: ignore[attr-defined]
    SecurityHubResponse.get_finding_aggregator = get_finding_aggregator  # type: ignore[attr-defined]
    SecurityHubResponse.update_finding_aggregator = update_finding_aggregator  # type: ignore[attr-defined]
    SecurityHubResponse.delete_finding_aggregator = delete_finding_aggregator  # type: ignore[attr-defined]
    SecurityHubResponse.list_finding_aggregators = list_finding_aggregators  # type: ignore[attr-defined]
