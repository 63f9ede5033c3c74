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

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from cdktf import TerraformResourceLifecycle
from constructs import Construct

from constructs_lib.iam_documents import statement
from constructs_lib.identity import ServiceRole, ServiceRoleProps
from constructs_lib.logs import EncryptedLogGroup, EncryptedLogGroupProps
from constructs_lib.provider_bindings import aws
from constructs_lib.security_groups import tier_security_group
from platform_core.naming import ResourceNames
from platform_core.subnet_layout import TIERS, plan_subnets

ANYWHERE = "0.0.0.0/0"
NAT_PORTS = (1024, 65535)
"""A NAT gateway translates to any of these, so the public tier admits return traffic on all of them."""
LINUX_EPHEMERAL_PORTS = (32768, 65535)
"""Where Linux (the app servers, Lambda) receives the answers to its own outbound calls."""
GATEWAY_ENDPOINT_SERVICES = ("s3", "dynamodb")


@dataclass(frozen=True)
class NetworkProps:
    """Everything the network needs; the defaults are the production settings."""

    names: ResourceNames
    region: str
    account_id: str
    partition: str
    vpc_cidr: str
    availability_zones: Sequence[str]
    subnet_prefix_lengths: Mapping[str, int]
    flow_log_kms_key_arn: str
    flow_log_retention_days: int = 365
    nat_mode: Literal["single", "per_az"] = "per_az"
    interface_endpoints: Sequence[str] = ("ssm", "ssmmessages", "ec2messages", "kms", "logs", "sts")


class Network(Construct):
    """VPC, subnet tiers, gateways, routes, NACLs, flow logs and endpoints. See the module docstring."""

    def __init__(self, scope: Construct, construct_id: str, props: NetworkProps) -> None:
        super().__init__(scope, construct_id)
        self._props = props
        names = props.names
        self.vpc = aws.vpc.Vpc(
            self,
            "vpc",
            cidr_block=props.vpc_cidr,
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
        self._create_network_acls()
        self.flow_log_group = self._create_flow_logs()
        self._create_gateway_endpoints()
        self.endpoint_security_group = self._create_interface_endpoints()

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

    # --- building blocks -----------------------------------------------------------------

    def _lock_down_defaults(self) -> None:
        """The default security group and network ACL keep no rules: nothing may rely on them."""
        aws.default_security_group.DefaultSecurityGroup(
            self,
            "default-security-group",
            vpc_id=self.vpc_id,
            ingress=[],
            egress=[],
            tags={"Name": self._props.names.name("default-sg-unused")},
        )
        aws.default_network_acl.DefaultNetworkAcl(
            self,
            "default-network-acl",
            default_network_acl_id=self.vpc.default_network_acl_id,
            ingress=[],
            egress=[],
            tags={"Name": self._props.names.name("default-nacl-unused")},
            # Subnets leave the default ACL when they join their tier's ACL.
            lifecycle=TerraformResourceLifecycle(ignore_changes=["subnet_ids"]),
        )

    def _create_subnets(self) -> dict[tuple[str, str], object]:
        props = self._props
        subnets: dict[tuple[str, str], object] = {}
        for spec in plan_subnets(props.vpc_cidr, props.availability_zones, dict(props.subnet_prefix_lengths)):
            subnets[(spec.tier, spec.az_letter)] = aws.subnet.Subnet(
                self,
                f"{spec.tier}-subnet-{spec.az_letter}",
                vpc_id=self.vpc_id,
                cidr_block=spec.cidr_block,
                availability_zone=spec.availability_zone,
                map_public_ip_on_launch=False,
                tags={"Name": props.names.name(f"{spec.tier}-{spec.az_letter}"), "Tier": spec.tier},
            )
        return subnets

    def _az_letters(self) -> list[str]:
        return [az[-1] for az in self._props.availability_zones]

    def _create_nat_gateways(self) -> dict[str, object]:
        """NAT gateways keyed by the AZ letter they serve from."""
        letters = self._az_letters()
        nat_letters = letters if self._props.nat_mode == "per_az" else [sorted(letters)[0]]
        gateways: dict[str, object] = {}
        for letter in nat_letters:
            address = aws.eip.Eip(
                self, f"nat-address-{letter}", domain="vpc", tags={"Name": self._props.names.name(f"nat-{letter}")}
            )
            gateways[letter] = aws.nat_gateway.NatGateway(
                self,
                f"nat-gateway-{letter}",
                allocation_id=address.id,
                subnet_id=self._subnet_ids[("public", letter)],
                tags={"Name": self._props.names.name(f"nat-{letter}")},
                depends_on=[self.internet_gateway],
            )
        return gateways

    def _route_table(self, construct_id: str, name: str, subnet_letters: Sequence[str], tier: str):
        table = aws.route_table.RouteTable(
            self, construct_id, vpc_id=self.vpc_id, tags={"Name": self._props.names.name(name), "Tier": tier}
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
        if self._props.nat_mode == "per_az":
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

    def _create_network_acls(self) -> None:
        """Stateless guard rails per tier, on top of the security groups.

        Every tier admits anything from inside the VPC. Beyond that, ACLs are
        stateless, so answers to outbound calls must be let back in: the public
        tier (the NAT gateways) on every port NAT uses, the private tier on
        Linux's ephemeral ports, and the database tier on those ports too but
        only TCP, for HTTPS through the gateway endpoints, its only way out.
        """
        nacl = aws.network_acl
        vpc_cidr = self._props.vpc_cidr

        def answers(rule_no: int, protocol: str, ports: tuple[int, int]):
            return nacl.NetworkAclIngress(
                rule_no=rule_no, action="allow", protocol=protocol, cidr_block=ANYWHERE, from_port=ports[0], to_port=ports[1]
            )

        from_vpc = nacl.NetworkAclIngress(
            rule_no=100, action="allow", protocol="-1", cidr_block=vpc_cidr, from_port=0, to_port=0
        )
        anywhere_out = nacl.NetworkAclEgress(
            rule_no=100, action="allow", protocol="-1", cidr_block=ANYWHERE, from_port=0, to_port=0
        )
        rules = {
            "public": ([from_vpc, answers(200, "tcp", NAT_PORTS), answers(210, "udp", NAT_PORTS)], [anywhere_out]),
            "private": (
                [from_vpc, answers(200, "tcp", LINUX_EPHEMERAL_PORTS), answers(210, "udp", LINUX_EPHEMERAL_PORTS)],
                [anywhere_out],
            ),
            "database": (
                [from_vpc, answers(200, "tcp", LINUX_EPHEMERAL_PORTS)],
                [
                    nacl.NetworkAclEgress(
                        rule_no=100, action="allow", protocol="-1", cidr_block=vpc_cidr, from_port=0, to_port=0
                    ),
                    nacl.NetworkAclEgress(
                        rule_no=200, action="allow", protocol="tcp", cidr_block=ANYWHERE, from_port=443, to_port=443
                    ),
                ],
            ),
        }
        for tier in TIERS:
            ingress, egress = rules[tier]
            nacl.NetworkAcl(
                self,
                f"{tier}-network-acl",
                vpc_id=self.vpc_id,
                subnet_ids=self.subnet_ids(tier),
                ingress=ingress,
                egress=egress,
                tags={"Name": self._props.names.name(f"{tier}-nacl"), "Tier": tier},
            )

    def _create_flow_logs(self) -> EncryptedLogGroup:
        props = self._props
        log_group = EncryptedLogGroup(
            self,
            "flow-log-group",
            EncryptedLogGroupProps(
                name=props.names.log_group("vpc-flow-logs"),
                retention_days=props.flow_log_retention_days,
                kms_key_arn=props.flow_log_kms_key_arn,
            ),
        )
        group_arn = (
            f"arn:{props.partition}:logs:{props.region}:{props.account_id}:log-group:"
            f"{props.names.log_group('vpc-flow-logs')}"
        )
        role = ServiceRole(
            self,
            "flow-log-role",
            ServiceRoleProps(
                names=props.names,
                purpose="vpc-flow-logs",
                description="Lets VPC Flow Logs of this account write to the environment's flow-log group",
                service="vpc-flow-logs.amazonaws.com",
                account_id=props.account_id,
                source_arn=f"arn:{props.partition}:ec2:{props.region}:{props.account_id}:vpc-flow-log/*",
                statements=[
                    statement(
                        "WriteToTheFlowLogGroup",
                        actions=["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                        # Built from the name, not read from the resource, so a change to the
                        # log group does not defer this document and add noise to the plan.
                        resources=[group_arn, f"{group_arn}:*"],
                    ),
                    statement(
                        "FindTheFlowLogGroup",
                        actions=["logs:DescribeLogGroups"],
                        resources=[f"arn:{props.partition}:logs:{props.region}:{props.account_id}:log-group:*"],
                    ),
                ],
            ),
        )
        aws.flow_log.FlowLog(
            self,
            "flow-log",
            vpc_id=self.vpc_id,
            traffic_type="ALL",
            log_destination_type="cloud-watch-logs",
            log_destination=log_group.arn,
            iam_role_arn=role.arn,
            max_aggregation_interval=60,
            tags={"Name": props.names.name("vpc-flow-log")},
        )
        return log_group

    def _create_gateway_endpoints(self) -> None:
        """S3 and DynamoDB traffic from the private and database tiers stays on the AWS network."""
        tables = [t.id for t in self.route_tables["private"] + self.route_tables["database"]]
        for service in GATEWAY_ENDPOINT_SERVICES:
            aws.vpc_endpoint.VpcEndpoint(
                self,
                f"{service}-gateway-endpoint",
                vpc_id=self.vpc_id,
                service_name=f"com.amazonaws.{self._props.region}.{service}",
                vpc_endpoint_type="Gateway",
                route_table_ids=tables,
                tags={"Name": self._props.names.name(f"{service}-endpoint")},
            )

    def _create_interface_endpoints(self):
        """Private DNS endpoints in the private tier, reachable on 443 from the VPC only."""
        props = self._props
        if not props.interface_endpoints:
            return None
        group = tier_security_group(
            self,
            "endpoint-security-group",
            names=props.names,
            purpose="endpoints",
            description="Interface endpoints: HTTPS from inside the VPC only",
            vpc_id=self.vpc_id,
        )
        aws.vpc_security_group_ingress_rule.VpcSecurityGroupIngressRule(
            self,
            "endpoint-https-from-vpc",
            security_group_id=group.id,
            description="HTTPS from inside the VPC",
            ip_protocol="tcp",
            from_port=443,
            to_port=443,
            cidr_ipv4=props.vpc_cidr,
        )
        for service in props.interface_endpoints:
            aws.vpc_endpoint.VpcEndpoint(
                self,
                f"{service.replace('.', '-')}-interface-endpoint",
                vpc_id=self.vpc_id,
                service_name=f"com.amazonaws.{props.region}.{service}",
                vpc_endpoint_type="Interface",
                private_dns_enabled=True,
                subnet_ids=self.subnet_ids("private"),
                security_group_ids=[group.id],
                tags={"Name": props.names.name(f"{service.replace('.', '-')}-endpoint")},
            )
        return group
