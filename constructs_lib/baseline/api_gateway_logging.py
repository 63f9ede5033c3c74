"""API Gateway's account setting in every covered region: the role it writes CloudWatch logs through.

It is one setting per account and region, not per API: when every environment set it, two
environments of one account overwrote each other's role, and destroying one left the
other's stages logging through a role that no longer existed. The baseline owns it, so
every environment's stage finds it in place (the baseline is deployed first). Destroying
the baseline resets the setting (``reset_on_delete``) rather than only forgetting it.
"""

from __future__ import annotations

from collections.abc import Sequence

from constructs import Construct

from constructs_lib.baseline.region import Region
from constructs_lib.identity import ServiceRole, ServiceRoleProps
from synth_runtime.provider_bindings import aws


class ApiGatewayLogging(Construct):
    """One role (IAM is global) and, in every covered region, API Gateway's account setting pointing at it."""

    def __init__(self, scope: Construct, construct_id: str, regions: Sequence[Region]) -> None:
        super().__init__(scope, construct_id)
        home = next(region for region in regions if region.home)
        self.role = ServiceRole(self, "cloudwatch-role", home.scope, ServiceRoleProps(
            purpose="api-gateway-logging",
            description="Lets API Gateway in this account write execution and access logs",
            service="apigateway.amazonaws.com",
            statements=(),
            managed_policy_arns=[home.scope.aws_managed_policy("service-role/AmazonAPIGatewayPushToCloudWatchLogs")],
        ))
        for region in regions:
            aws.api_gateway_account.ApiGatewayAccount(
                self, f"account-{region.name}", cloudwatch_role_arn=self.role.arn, reset_on_delete=True, **region.options()
            )
