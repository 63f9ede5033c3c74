"""What looks at the account from outside in one region: IAM Access Analyzer and Amazon Inspector.

Access Analyzer (account zone of trust) reports every resource policy that grants access
to a principal outside the account. Inspector scans EC2 instances and Lambda functions
for known vulnerabilities, continuously.
"""

from __future__ import annotations

from constructs import Construct

from constructs_lib.baseline.region import Region
from environments.account_schema import Features
from platform_core.account_controls import INSPECTOR_RESOURCE_TYPES
from synth_runtime.provider_bindings import aws


class AccessAnalysis(Construct):
    """The region's account analyzer and Inspector scanning, as the account's features say."""

    def __init__(self, scope: Construct, construct_id: str, region: Region, features: Features) -> None:
        super().__init__(scope, construct_id)
        names = region.scope.names
        if features.access_analyzer:
            self.analyzer = aws.accessanalyzer_analyzer.AccessanalyzerAnalyzer(
                self, "analyzer", analyzer_name=names.name(f"access-{region.slug}"), type="ACCOUNT", **region.options()
            )
        if features.inspector:
            aws.inspector2_enabler.Inspector2Enabler(
                self, "inspector", account_ids=[region.scope.account_id], resource_types=list(INSPECTOR_RESOURCE_TYPES),
                **region.options(),
            )
