"""The network tier: a VPC with public, private and database subnets in every AZ.

What it creates, and why:

* A VPC with DNS support and hostnames (interface endpoints and RDS need both).
* Three subnet tiers in every AZ, addressed by :mod:`platform_core.subnet_layout`
  from tier and AZ letter, so adding an AZ never moves an existing subnet.
  No subnet maps a public IP on launch.
* An internet gateway for the public tier, and NAT gateways for the private
  tier: one in ``single`` mode (cheap), one per AZ in ``per_az`` mode (an AZ
  outage does not cut the others off).
* A route table per tier, per AZ where NAT is per AZ. The database tier has no
  route to the internet at all.
* Network ACLs per tier, the default security group stripped of every rule and
  the default network ACL managed with no rules, so nothing relies on AWS defaults.
* VPC flow logs of ALL traffic to a KMS-encrypted log group, through a role
  only the flow-logs service of this account can assume.
* S3 and DynamoDB gateway endpoints on the private and database route tables,
  and interface endpoints (from config) behind a security group that admits
  HTTPS from the VPC only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cdktf import TerraformResourceLifecycle
from constructs import Construct

from constructs_lib.context import StackScope
from constructs_lib.flow_logs import vpc_flow_logs
from constructs_lib.network_acls import ANYWHERE, tier_network_acls
from constructs_lib.vpc_endpoints import gateway_endpoints, interface_endpoints
from environments.schema import NetworkConfig
from platform_core.subnet_layout import TIERS, plan_subnets
from synth_runtime.provider_bindings import aws


@dataclass(frozen=True)
class NetworkProps:
    """The environment's ``[network]`` settings (each documented, with its default, in environments/schema.py)
    and the key that encrypts the flow logs."""

    settings: NetworkConfig
    flow_log_kms_key_arn: str


class Network(Construct):
    """VPC, subnet tiers, gateways, routes, NACLs, flow logs and endpoints. See the module docstring."""

    def __init__(self, scope: Construct, construct_id: str, where: StackScope, props: NetworkProps) -> None:
        super().__init__(scope, construct_id)
        self._where, self._settings = where, props.settings
        names, settings = where.names, props.settings
        self.vpc = aws.vpc.Vpc(
            self,
            "vpc",
            cidr_block=settings.vpc_cidr,
            enable_dns_support=True,
            enable_dns_hostnames=True,
            tags={"Name": names.name("vpc")},
        )
        # Tokens are read once: every read of a resource attribute is a round trip to the jsii kernel.
        self.vpc_id = self.vpc.id
        self._lock_down_defaults()
        self.subnets = self._create_subnets()
        self._subnet_ids = {key: subnet.id for key, subnet in self.subnets.items()}
        self.internet_gateway = aws.internet_gateway.InternetGateway(
            self, "internet-gateway", vpc_id=self.vpc_id, tags={"Name": names.name("igw")}
        )
        self.nat_gateways = self._create_nat_gateways()
        self.route_tables = self._create_route_tables()
        tier_network_acls(
            self, where, vpc_id=self.vpc_id, vpc_cidr=settings.vpc_cidr, subnet_ids={tier: self.subnet_ids(tier) for tier in TIERS}
        )
        self.flow_log_group = vpc_flow_logs(
            self, where, vpc_id=self.vpc_id, retention_days=settings.flow_log_retention_days, kms_key_arn=props.flow_log_kms_key_arn
        )
        self.endpoints = gateway_endpoints(
            self, where, vpc_id=self.vpc_id, route_table_ids=[t.id for t in self.route_tables["private"] + self.route_tables["database"]]
        )
        self.endpoint_security_group, interfaces = interface_endpoints(
            self,
            where,
            vpc_id=self.vpc_id,
            vpc_cidr=settings.vpc_cidr,
            subnet_ids=self.subnet_ids("private"),
            services=settings.interface_endpoints,
        )
        self.endpoints.update(interfaces)

    # --- outputs -------------------------------------------------------------------------

    def subnet_ids(self, tier: str) -> list[str]:
        """Subnet ids of one tier, in AZ order."""
        return list(self.subnet_ids_by_az(tier).values())

    def subnet_ids_by_az(self, tier: str) -> dict[str, str]:
        """Subnet ids of one tier keyed by AZ letter, in AZ order."""
        return {letter: subnet_id for (subnet_tier, letter), subnet_id in self._subnet_ids.items() if subnet_tier == tier}

    @property
    def nat_gateway_ids(self) -> list[str]:
        return [nat.id for nat in self.nat_gateways.values()]

    @property
    def endpoint_ids(self) -> dict[str, str]:
        """The VPC endpoints' ids by service: ``s3``, ``dynamodb``, then the interface endpoints as configured."""
        return {service: endpoint.id for service, endpoint in self.endpoints.items()}

    # --- building blocks -----------------------------------------------------------------

    def _lock_down_defaults(self) -> None:
        """The default security group and network ACL keep no rules: nothing may rely on them."""
        aws.default_security_group.DefaultSecurityGroup(
            self,
            "default-security-group",
            vpc_id=self.vpc_id,
            ingress=[],
            egress=[],
            tags={"Name": self._where.names.name("default-sg-unused")},
        )
        aws.default_network_acl.DefaultNetworkAcl(
            self,
            "default-network-acl",
            default_network_acl_id=self.vpc.default_network_acl_id,
            ingress=[],
            egress=[],
            tags={"Name": self._where.names.name("default-nacl-unused")},
            # Subnets leave the default ACL when they join their tier's ACL.
            lifecycle=TerraformResourceLifecycle(ignore_changes=["subnet_ids"]),
        )

    def _create_subnets(self) -> dict[tuple[str, str], object]:
        subnets: dict[tuple[str, str], object] = {}
        for spec in plan_subnets(self._settings.vpc_cidr, self._settings.availability_zones, self._settings.subnet_prefix_lengths.as_dict()):
            subnets[(spec.tier, spec.az_letter)] = aws.subnet.Subnet(
                self,
                f"{spec.tier}-subnet-{spec.az_letter}",
                vpc_id=self.vpc_id,
                cidr_block=spec.cidr_block,
                availability_zone=spec.availability_zone,
                map_public_ip_on_launch=False,
                tags={"Name": self._where.names.name(f"{spec.tier}-{spec.az_letter}"), "Tier": spec.tier},
            )
        return subnets

    def _az_letters(self) -> list[str]:
        return [az[-1] for az in self._settings.availability_zones]

    def _create_nat_gateways(self) -> dict[str, object]:
        """NAT gateways keyed by the AZ letter they serve from."""
        letters = self._az_letters()
        nat_letters = letters if self._settings.nat_mode == "per_az" else [sorted(letters)[0]]
        gateways: dict[str, object] = {}
        for letter in nat_letters:
            address = aws.eip.Eip(
                self, f"nat-address-{letter}", domain="vpc", tags={"Name": self._where.names.name(f"nat-{letter}")}
            )
            gateways[letter] = aws.nat_gateway.NatGateway(
                self,
                f"nat-gateway-{letter}",
                allocation_id=address.id,
                subnet_id=self._subnet_ids[("public", letter)],
                tags={"Name": self._where.names.name(f"nat-{letter}")},
                depends_on=[self.internet_gateway],
            )
        return gateways

    def _route_table(self, construct_id: str, name: str, subnet_letters: Sequence[str], tier: str):
        table = aws.route_table.RouteTable(
            self, construct_id, vpc_id=self.vpc_id, tags={"Name": self._where.names.name(name), "Tier": tier}
        )
        for letter in subnet_letters:
            aws.route_table_association.RouteTableAssociation(
                self,
                f"{tier}-subnet-{letter}-routes",
                route_table_id=table.id,
                subnet_id=self._subnet_ids[(tier, letter)],
            )
        return table

    def _create_route_tables(self) -> dict[str, list[object]]:
        """Route tables per tier: public to the IGW, private to NAT, database to nowhere."""
        letters = self._az_letters()
        public = self._route_table("public-route-table", "public-routes", letters, "public")
        aws.route.Route(
            self,
            "public-default-route",
            route_table_id=public.id,
            destination_cidr_block=ANYWHERE,
            gateway_id=self.internet_gateway.id,
        )
        private: list[object] = []
        if self._settings.nat_mode == "per_az":
            for letter in letters:
                table = self._route_table(f"private-route-table-{letter}", f"private-routes-{letter}", [letter], "private")
                self._default_route_via_nat(f"private-default-route-{letter}", table, self.nat_gateways[letter])
                private.append(table)
        else:
            (nat,) = self.nat_gateways.values()
            table = self._route_table("private-route-table", "private-routes", letters, "private")
            self._default_route_via_nat("private-default-route", table, nat)
            private.append(table)
        database = self._route_table("database-route-table", "database-routes", letters, "database")
        return {"public": [public], "private": private, "database": [database]}

    def _default_route_via_nat(self, construct_id: str, table, nat) -> None:
        aws.route.Route(
            self, construct_id, route_table_id=table.id, destination_cidr_block=ANYWHERE, nat_gateway_id=nat.id
        )
