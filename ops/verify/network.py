"""Network checks: the VPC, its tiers per AZ, NAT, routes, ACLs, flow logs and endpoints."""

from __future__ import annotations

import json

from ops.verify import VerifyContext, expect
from platform_core.endpoint_access import aws_owned_bucket_objects
from platform_core.network_guards import admin_port_denials
from platform_core.subnet_layout import plan_subnets

TIERS = ("public", "private", "database")


def _subnets(ctx: VerifyContext) -> list[dict]:
    return ctx.client("ec2").describe_subnets(Filters=[{"Name": "vpc-id", "Values": [ctx.vpc["VpcId"]]}])["Subnets"]


def _tag(resource: dict, key: str) -> str | None:
    return next((t["Value"] for t in resource.get("Tags", []) if t["Key"] == key), None)


def _route_tables(ctx: VerifyContext) -> list[dict]:
    return ctx.client("ec2").describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [ctx.vpc["VpcId"]]}])["RouteTables"]


def _table_of_subnet(tables: list[dict], subnet_id: str) -> dict | None:
    return next((t for t in tables if any(a.get("SubnetId") == subnet_id for a in t.get("Associations", []))), None)


def _available_nats(ctx: VerifyContext) -> list[dict]:
    return ctx.client("ec2").describe_nat_gateways(
        Filters=[{"Name": "vpc-id", "Values": [ctx.vpc["VpcId"]]}, {"Name": "state", "Values": ["available"]}]
    )["NatGateways"]


def vpc_dns(ctx: VerifyContext) -> str:
    ec2 = ctx.client("ec2")
    vpc_id = ctx.vpc["VpcId"]
    expect(ctx.vpc["CidrBlock"] == ctx.config.network.vpc_cidr, f"CIDR is {ctx.vpc['CidrBlock']}")
    support = ec2.describe_vpc_attribute(VpcId=vpc_id, Attribute="enableDnsSupport")["EnableDnsSupport"]["Value"]
    hostnames = ec2.describe_vpc_attribute(VpcId=vpc_id, Attribute="enableDnsHostnames")["EnableDnsHostnames"]["Value"]
    expect(support and hostnames, f"DNS support={support}, hostnames={hostnames}")
    return f"{vpc_id} {ctx.vpc['CidrBlock']}"


def subnet_tiers(ctx: VerifyContext) -> str:
    network = ctx.config.network
    expected = {
        (s.tier, s.availability_zone, s.cidr_block)
        for s in plan_subnets(network.vpc_cidr, network.availability_zones, network.subnet_prefix_lengths.as_dict())
    }
    found = {(_tag(s, "Tier"), s["AvailabilityZone"], s["CidrBlock"]) for s in _subnets(ctx)}
    expect(found == expected, f"missing {sorted(expected - found)}, unexpected {sorted(found - expected)}")
    return f"{len(found)} subnets = 3 tiers x {len(network.availability_zones)} AZs"


def no_public_ips(ctx: VerifyContext) -> None:
    mapping = [s["SubnetId"] for s in _subnets(ctx) if s.get("MapPublicIpOnLaunch")]
    expect(not mapping, f"subnets that map public IPs: {mapping}")


def nat_count(ctx: VerifyContext) -> str:
    network = ctx.config.network
    wanted = 1 if network.nat_mode == "single" else len(network.availability_zones)
    nats = _available_nats(ctx)
    expect(len(nats) == wanted, f"{len(nats)} available NAT gateways, expected {wanted} ({network.nat_mode})")
    public = {s["SubnetId"] for s in _subnets(ctx) if _tag(s, "Tier") == "public"}
    expect(all(n["SubnetId"] in public for n in nats), "a NAT gateway is outside the public tier")
    return f"{len(nats)} ({network.nat_mode})"


def database_routes_stay_inside(ctx: VerifyContext) -> None:
    tables = _route_tables(ctx)
    for subnet in _subnets(ctx):
        if _tag(subnet, "Tier") != "database":
            continue
        table = _table_of_subnet(tables, subnet["SubnetId"])
        expect(table is not None, f"{subnet['SubnetId']} has no route table of its own")
        leaks = [r for r in table["Routes"] if r.get("NatGatewayId") or str(r.get("GatewayId", "")).startswith("igw-")]
        expect(not leaks, f"{table['RouteTableId']} routes out: {leaks}")


def private_routes_via_nat(ctx: VerifyContext) -> None:
    tables = _route_tables(ctx)
    nats = {n["NatGatewayId"]: n["SubnetId"] for n in _available_nats(ctx)}
    subnet_az = {s["SubnetId"]: s["AvailabilityZone"] for s in _subnets(ctx)}
    for subnet in _subnets(ctx):
        tier = _tag(subnet, "Tier")
        if tier not in ("public", "private"):
            continue
        table = _table_of_subnet(tables, subnet["SubnetId"])
        expect(table is not None, f"{subnet['SubnetId']} has no route table of its own")
        default = [r for r in table["Routes"] if r.get("DestinationCidrBlock") == "0.0.0.0/0"]
        expect(len(default) == 1, f"{table['RouteTableId']} has {len(default)} default routes")
        if tier == "public":
            expect(str(default[0].get("GatewayId", "")).startswith("igw-"), "public default route is not the IGW")
            continue
        nat = default[0].get("NatGatewayId")
        expect(nat in nats, f"private default route of {subnet['SubnetId']} goes to {default[0]}")
        if ctx.config.network.nat_mode == "per_az":
            expect(subnet_az[nats[nat]] == subnet["AvailabilityZone"], f"{subnet['SubnetId']} uses a NAT in another AZ")


def default_security_group_empty(ctx: VerifyContext) -> None:
    groups = ctx.client("ec2").describe_security_groups(
        Filters=[{"Name": "vpc-id", "Values": [ctx.vpc["VpcId"]]}, {"Name": "group-name", "Values": ["default"]}]
    )["SecurityGroups"]
    expect(len(groups) == 1, f"found {len(groups)} default security groups")
    group = groups[0]
    expect(not group["IpPermissions"] and not group["IpPermissionsEgress"], "the default security group has rules")


def tier_network_acls(ctx: VerifyContext) -> None:
    acls = ctx.client("ec2").describe_network_acls(Filters=[{"Name": "vpc-id", "Values": [ctx.vpc["VpcId"]]}])["NetworkAcls"]
    acl_tier = {a["NetworkAclId"]: _tag(a, "Tier") for a in acls}
    assigned = {assoc["SubnetId"]: assoc["NetworkAclId"] for a in acls for assoc in a.get("Associations", [])}
    for subnet in _subnets(ctx):
        tier = _tag(subnet, "Tier")
        expect(acl_tier.get(assigned.get(subnet["SubnetId"])) == tier, f"{subnet['SubnetId']} ({tier}) is not in its tier's ACL")
    expected = {(r["rule_no"], r.get("cidr_block") or r.get("ipv6_cidr_block"), r["from_port"], r["to_port"]) for r in admin_port_denials()}
    for acl in (a for a in acls if not a["IsDefault"]):
        denied = {
            (e["RuleNumber"], e.get("CidrBlock") or e.get("Ipv6CidrBlock"), e["PortRange"]["From"], e["PortRange"]["To"])
            for e in acl["Entries"] if not e["Egress"] and e["RuleAction"] == "deny" and e["Protocol"] == "6" and "PortRange" in e
        }
        expect(expected <= denied, f"{_tag(acl, 'Tier')} ACL does not refuse {sorted(expected - denied)} from anywhere")
    default = [a for a in acls if a["IsDefault"]]
    expect(len(default) == 1, "no default network ACL")
    custom_rules = [e for e in default[0]["Entries"] if e["RuleNumber"] != 32767]
    expect(not custom_rules, f"the default network ACL has rules: {custom_rules}")


def flow_logs(ctx: VerifyContext) -> str:
    logs = ctx.client("ec2").describe_flow_logs(Filters=[{"Name": "resource-id", "Values": [ctx.vpc["VpcId"]]}])["FlowLogs"]
    expect(len(logs) == 1, f"{len(logs)} flow logs on the VPC")
    flow = logs[0]
    expect(flow["TrafficType"] == "ALL", f"traffic type {flow['TrafficType']}")
    group_name = ctx.names.log_group("vpc-flow-logs")
    expect(flow.get("LogGroupName") == group_name or flow.get("LogDestination", "").endswith(group_name), f"flow logs go to {flow}")
    groups = ctx.client("logs").describe_log_groups(logGroupNamePrefix=group_name)["logGroups"]
    expect(len(groups) == 1, f"log group {group_name} not found")
    expect(bool(groups[0].get("kmsKeyId")), "the flow-log group is not KMS-encrypted")
    retention = groups[0].get("retentionInDays")
    expect(retention == ctx.config.network.flow_log_retention_days, f"retention {retention} days")
    return f"{group_name}, {retention} days, KMS"


def gateway_endpoints(ctx: VerifyContext) -> None:
    endpoints = ctx.client("ec2").describe_vpc_endpoints(Filters=[{"Name": "vpc-id", "Values": [ctx.vpc["VpcId"]]}])["VpcEndpoints"]
    tables = _route_tables(ctx)
    inner = {
        _table_of_subnet(tables, s["SubnetId"])["RouteTableId"]
        for s in _subnets(ctx)
        if _tag(s, "Tier") in ("private", "database")
    }
    for service in ("s3", "dynamodb"):
        name = f"com.amazonaws.{ctx.config.region}.{service}"
        found = [e for e in endpoints if e["ServiceName"] == name and e["VpcEndpointType"] == "Gateway"]
        expect(len(found) == 1, f"{len(found)} gateway endpoints for {service}")
        expect(set(found[0]["RouteTableIds"]) == inner, f"{service} endpoint serves {found[0]['RouteTableIds']}")


def interface_endpoints(ctx: VerifyContext) -> str:
    endpoints = ctx.client("ec2").describe_vpc_endpoints(Filters=[{"Name": "vpc-id", "Values": [ctx.vpc["VpcId"]]}])["VpcEndpoints"]
    found = {e["ServiceName"].rsplit(".", 1)[-1] for e in endpoints if e["VpcEndpointType"] == "Interface"}
    wanted = set(ctx.config.network.interface_endpoints)
    expect(found == wanted, f"interface endpoints {sorted(found)}, expected {sorted(wanted)}")
    return ", ".join(sorted(found)) or "none configured"


def _lets_any_account_through(statement: dict, account_id: str, aws_owned: set[str], service: str) -> bool:
    """An Allow not held to this account's principals (on S3, and to this account's buckets), and not a read of the
    named AWS-owned buckets."""
    equals = statement.get("Condition", {}).get("StringEquals", {})
    held = equals.get("aws:PrincipalAccount") in (account_id, [account_id])
    if service == "s3":
        held = held and equals.get("aws:ResourceAccount") in (account_id, [account_id])
    resources = statement.get("Resource", [])
    resources = [resources] if isinstance(resources, str) else resources
    reads_aws_owned = statement.get("Action") in ("s3:GetObject", ["s3:GetObject"]) and bool(resources) and set(resources) <= aws_owned
    return statement.get("Effect") == "Allow" and not (held or reads_aws_owned)


def endpoint_policies(ctx: VerifyContext) -> str:
    """Every endpoint of the VPC has a policy, and every Allow in it is held to this account's principals, or
    reads the named AWS-owned buckets (the default policy, which lets anything through, fails)."""
    endpoints = ctx.client("ec2").describe_vpc_endpoints(Filters=[{"Name": "vpc-id", "Values": [ctx.vpc["VpcId"]]}])["VpcEndpoints"]
    aws_owned = set(aws_owned_bucket_objects("aws", ctx.config.region))
    expect(len(endpoints) >= 2, f"{len(endpoints)} endpoints in the VPC; the S3 and DynamoDB gateways at least")
    for endpoint in endpoints:
        service = endpoint["ServiceName"].rsplit(".", 1)[-1]
        document = json.loads(endpoint.get("PolicyDocument") or "{}")
        statements = document.get("Statement", [])
        statements = [statements] if isinstance(statements, dict) else statements
        expect(bool(statements), f"the {service} endpoint has no policy")
        loose = [s.get("Sid", "(no sid)") for s in statements if _lets_any_account_through(s, ctx.account_id, aws_owned, service)]
        expect(not loose, f"the {service} endpoint's policy lets any account through: {', '.join(loose)}")
    return f"{len(endpoints)} endpoints"


CHECKS = [
    ("network", "VPC has its CIDR, DNS support and hostnames", vpc_dns),
    ("network", "public, private and database subnets in every AZ at their planned CIDRs", subnet_tiers),
    ("network", "no subnet maps public IPs on launch", no_public_ips),
    ("network", "NAT gateways match the NAT mode, in the public tier", nat_count),
    ("network", "database route tables have no route to an internet or NAT gateway", database_routes_stay_inside),
    ("network", "public tier routes to the IGW, private tier to NAT (same AZ when per AZ)", private_routes_via_nat),
    ("network", "default security group has no rules", default_security_group_empty),
    ("network", "every subnet sits in its tier's network ACL, which refuses SSH, RDP and WinRM from anywhere; the default ACL has no rules", tier_network_acls),
    ("network", "flow logs capture ALL traffic to a KMS-encrypted log group with the configured retention", flow_logs),
    ("network", "S3 and DynamoDB gateway endpoints serve the private and database route tables", gateway_endpoints),
    ("network", "interface endpoints match the config", interface_endpoints),
    ("network", "every endpoint's policy holds it to this account (and named AWS-owned buckets)", endpoint_policies),
]
