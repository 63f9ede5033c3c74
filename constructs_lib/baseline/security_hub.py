"""Security Hub in one region: the CIS AWS Foundations Benchmark and AWS Foundational Security Best Practices.

Default standards are not enabled implicitly: exactly the two above are subscribed, with
consolidated control findings. In the home region a finding aggregator gathers the
findings of every covered region, so one place (and one EventBridge rule, findings.py)
sees them all.
"""

from __future__ import annotations

from constructs import Construct

from constructs_lib.baseline.region import Region
from platform_core.account_controls import SECURITY_HUB_STANDARDS, standard_arn
from synth_runtime.provider_bindings import aws


class SecurityHub(Construct):
    """The region's Security Hub account, its standard subscriptions and, in the home region, the aggregator."""

    def __init__(self, scope: Construct, construct_id: str, region: Region) -> None:
        super().__init__(scope, construct_id)
        self.account = aws.securityhub_account.SecurityhubAccount(
            self, "account", enable_default_standards=False, control_finding_generator="SECURITY_CONTROL",
            auto_enable_controls=True, **region.options(),
        )
        for path in SECURITY_HUB_STANDARDS.values():
            aws.securityhub_standards_subscription.SecurityhubStandardsSubscription(
                self, path.split("/")[0], standards_arn=standard_arn(region.scope.partition, region.name, path),
                depends_on=[self.account], **region.options(),
            )
        if region.home:
            aws.securityhub_finding_aggregator.SecurityhubFindingAggregator(
                self, "aggregator", linking_mode="ALL_REGIONS", depends_on=[self.account], **region.options()
            )
