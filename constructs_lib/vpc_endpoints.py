"""VPC endpoints, created inside the :class:`~constructs_lib.network.Network` construct.

Gateway endpoints keep S3 and DynamoDB traffic of the private and database
tiers on the AWS network; interface endpoints (from config) give the private
tier private DNS names for AWS APIs, behind a security group that admits HTTPS
from the VPC only. Every endpoint carries a policy that holds it to this
account (``constructs_lib/endpoint_policies.py``).
"""

from __future__ import annotations

from collections.abc import Sequence

from constructs import Construct

from constructs_lib.context import StackScope
from constructs_lib.endpoint_policies import endpoint_policy
from constructs_lib.security_groups import tier_security_group
from synth_runtime.provider_bindings import aws

GATEWAY_ENDPOINT_SERVICES = ("s3", "dynamodb")


def gateway_endpoints(network: Construct, where: StackScope, *, vpc_id: str, route_table_ids: list[str]) -> dict[str, object]:
    """S3 and DynamoDB traffic from the private and database tiers stays on the AWS network. The endpoints by service."""
    return {
        service: aws.vpc_endpoint.VpcEndpoint(
            network,
            f"{service}-gateway-endpoint",
            vpc_id=vpc_id,
            service_name=f"com.amazonaws.{where.region}.{service}",
            vpc_endpoint_type="Gateway",
            route_table_ids=route_table_ids,
            policy=endpoint_policy(network, f"{service}-endpoint-policy", where, service),
            tags={"Name": where.names.name(f"{service}-endpoint")},
        )
        for service in GATEWAY_ENDPOINT_SERVICES
    }


def interface_endpoints(
    network: Construct, where: StackScope, *, vpc_id: str, vpc_cidr: str, subnet_ids: list[str], services: Sequence[str]
) -> tuple[object | None, dict[str, object]]:
    """Private DNS endpoints in the private tier, reachable on 443 from the VPC only: their security group (None
    without any) and the endpoints by service, as ``network.interface_endpoints`` names them."""
    if not services:
        return None, {}
    group = tier_security_group(
        network,
        "endpoint-security-group",
        names=where.names,
        purpose="endpoints",
        description="Interface endpoints: HTTPS from inside the VPC only",
        vpc_id=vpc_id,
    )
    aws.vpc_security_group_ingress_rule.VpcSecurityGroupIngressRule(
        network,
        "endpoint-https-from-vpc",
        security_group_id=group.id,
        description="HTTPS from inside the VPC",
        ip_protocol="tcp",
        from_port=443,
        to_port=443,
        cidr_ipv4=vpc_cidr,
    )
    endpoints = {}
    for service in services:
        slug = service.replace(".", "-")
        endpoints[service] = aws.vpc_endpoint.VpcEndpoint(
            network,
            f"{slug}-interface-endpoint",
            vpc_id=vpc_id,
            service_name=f"com.amazonaws.{where.region}.{service}",
            vpc_endpoint_type="Interface",
            private_dns_enabled=True,
            subnet_ids=subnet_ids,
            security_group_ids=[group.id],
            policy=endpoint_policy(network, f"{slug}-endpoint-policy", where, service),
            tags={"Name": where.names.name(f"{slug}-endpoint")},
        )
    return group, endpoints
