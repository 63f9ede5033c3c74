"""GuardDuty in one region: a detector publishing findings every 15 minutes, with its protection features.

Features (provider 5.100.0 names, ``platform_core.account_controls``): S3 data events,
RDS login events and Lambda network activity always; EBS malware protection and runtime
monitoring (with GuardDuty managing its EC2 agent) unless the account turns them off.
"""

from __future__ import annotations

from constructs import Construct

from constructs_lib.baseline.region import Region
from environments.account_schema import Features
from platform_core.account_controls import GUARDDUTY_RUNTIME_AGENT, GUARDDUTY_RUNTIME_MONITORING, guardduty_features
from synth_runtime.provider_bindings import aws


class ThreatDetection(Construct):
    """The GuardDuty detector of one region and its features."""

    def __init__(self, scope: Construct, construct_id: str, region: Region, features: Features) -> None:
        super().__init__(scope, construct_id)
        self.detector = aws.guardduty_detector.GuarddutyDetector(
            self, "detector", enable=True, finding_publishing_frequency="FIFTEEN_MINUTES",
            tags={"Name": region.scope.names.name(f"guardduty-{region.slug}")}, **region.options(),
        )
        feature = aws.guardduty_detector_feature
        for name in guardduty_features(features.guardduty_malware_protection, features.guardduty_runtime_monitoring):
            agent = name == GUARDDUTY_RUNTIME_MONITORING
            feature.GuarddutyDetectorFeature(
                self, name.lower().replace("_", "-"), detector_id=self.detector.id, name=name, status="ENABLED",
                additional_configuration=[feature.GuarddutyDetectorFeatureAdditionalConfiguration(name=GUARDDUTY_RUNTIME_AGENT, status="ENABLED")]
                if agent else None,
                **region.options(),
            )
