"""The network construct's promises, read from each environment's synthesized JSON."""

from __future__ import annotations

import ipaddress

import pytest

from tests.synth import construct_path, find, ref, referenced, resources

TIERS = ("public", "private", "database")


def az_letters(config) -> list[str]:
    return [az[-1] for az in config.network.availability_zones]


def test_vpc_has_dns_support_and_hostnames(stacks, configs, environment):
    (vpc,) = resources(stacks[environment], "aws_vpc").values()
    assert vpc["cidr_block"] == configs[environment].network.vpc_cidr
    assert vpc["enable_dns_support"] is True
    assert vpc["enable_dns_hostnames"] is True
    assert vpc["tags"]["Name"] == f"acme-vpc-{environment}"


def test_three_tiers_in_every_configured_az(stacks, configs, environment):
    subnets = resources(stacks[environment], "aws_subnet")
    config = configs[environment]
    assert len(subnets) == 3 * len(config.network.availability_zones)
    placed = {(s["tags"]["Tier"], s["availability_zone"]) for s in subnets.values()}
    assert placed == {(tier, az) for tier in TIERS for az in config.network.availability_zones}


def test_subnets_are_inside_the_vpc_and_disjoint(stacks, configs, environment):
    vpc = ipaddress.IPv4Network(configs[environment].network.vpc_cidr)
    networks = [ipaddress.IPv4Network(s["cidr_block"]) for s in resources(stacks[environment], "aws_subnet").values()]
    assert all(n.subnet_of(vpc) for n in networks)
    assert not any(a.overlaps(b) for i, a in enumerate(networks) for b in networks[i + 1 :])


def test_subnet_ids_and_cidrs_come_from_tier_and_az(stacks, configs, environment):
    config = configs[environment]
    for tier in TIERS:
        for letter in az_letters(config):
            _, subnet = find(stacks[environment], "aws_subnet", f"network/{tier}-subnet-{letter}")
            assert subnet["availability_zone"].endswith(letter)
            assert subnet["tags"]["Name"] == f"acme-{tier}-{letter}-{environment}"


def test_no_subnet_maps_public_ips(stacks, environment):
    for subnet in resources(stacks[environment], "aws_subnet").values():
        assert subnet["map_public_ip_on_launch"] is False


def test_internet_gateway_attached_to_the_vpc(stacks, environment):
    stack = stacks[environment]
    (vpc_name,) = resources(stack, "aws_vpc")
    (igw,) = resources(stack, "aws_internet_gateway").values()
    assert igw["vpc_id"] == ref("aws_vpc", vpc_name)


@pytest.mark.parametrize("environment, expected", [("dev", 1), ("staging", 2), ("prod", 3)])
def test_nat_gateway_count_follows_nat_mode(stacks, configs, environment, expected):
    stack = stacks[environment]
    nats = resources(stack, "aws_nat_gateway")
    assert len(nats) == expected
    assert len(resources(stack, "aws_eip")) == expected
    expected_mode = "single" if expected == 1 else "per_az"
    assert configs[environment].network.nat_mode == expected_mode


def test_nat_gateways_live_in_public_subnets(stacks, environment):
    stack = stacks[environment]
    public = {name for name, s in resources(stack, "aws_subnet").items() if s["tags"]["Tier"] == "public"}
    for nat in resources(stack, "aws_nat_gateway").values():
        ((kind, name),) = referenced(nat["subnet_id"])
        assert kind == "aws_subnet" and name in public


def _routes_by_table(stack):
    routes: dict[str, list[dict]] = {}
    for route in resources(stack, "aws_route").values():
        ((_, table),) = referenced(route["route_table_id"])
        routes.setdefault(table, []).append(route)
    return routes


def _tables_of_tier(stack, tier):
    return {name: t for name, t in resources(stack, "aws_route_table").items() if t["tags"]["Tier"] == tier}


def test_database_route_tables_have_no_way_out(stacks, environment):
    stack = stacks[environment]
    database_tables = _tables_of_tier(stack, "database")
    assert len(database_tables) == 1
    routes = _routes_by_table(stack)
    for name, table in database_tables.items():
        assert "route" not in table, "no inline routes either"
        for route in routes.get(name, []):
            assert "gateway_id" not in route and "nat_gateway_id" not in route


def test_public_tier_routes_to_the_internet_gateway(stacks, environment):
    stack = stacks[environment]
    (public_name,) = _tables_of_tier(stack, "public")
    (route,) = _routes_by_table(stack)[public_name]
    assert route["destination_cidr_block"] == "0.0.0.0/0"
    assert referenced(route["gateway_id"]) == {("aws_internet_gateway", next(iter(resources(stack, "aws_internet_gateway"))))}


def test_private_route_tables_per_az_only_with_nat_per_az(stacks, configs, environment):
    stack = stacks[environment]
    private = _tables_of_tier(stack, "private")
    config = configs[environment]
    expected = len(config.network.availability_zones) if config.network.nat_mode == "per_az" else 1
    assert len(private) == expected
    routes = _routes_by_table(stack)
    for name in private:
        (route,) = routes[name]
        assert route["destination_cidr_block"] == "0.0.0.0/0"
        assert {kind for kind, _ in referenced(route["nat_gateway_id"])} == {"aws_nat_gateway"}


def test_per_az_private_routes_use_the_nat_in_their_own_az(stacks):
    stack = stacks["prod"]
    for letter in "abc":
        route_name, route = find(stack, "aws_route", f"network/private-default-route-{letter}")
        nat_name, _ = find(stack, "aws_nat_gateway", f"network/nat-gateway-{letter}")
        assert route["nat_gateway_id"] == ref("aws_nat_gateway", nat_name)


def test_every_subnet_is_associated_with_its_tiers_route_table(stacks, environment):
    stack = stacks[environment]
    tables = resources(stack, "aws_route_table")
    subnets = resources(stack, "aws_subnet")
    associated = {}
    for association in resources(stack, "aws_route_table_association").values():
        ((_, subnet),) = referenced(association["subnet_id"])
        ((_, table),) = referenced(association["route_table_id"])
        associated[subnet] = table
    assert set(associated) == set(subnets)
    for subnet, table in associated.items():
        assert subnets[subnet]["tags"]["Tier"] == tables[table]["tags"]["Tier"]


def test_default_security_group_has_no_rules(stacks, environment):
    (group,) = resources(stacks[environment], "aws_default_security_group").values()
    assert group["ingress"] == [] and group["egress"] == []


def test_default_network_acl_is_managed_with_no_rules(stacks, environment):
    stack = stacks[environment]
    (vpc_name,) = resources(stack, "aws_vpc")
    (acl,) = resources(stack, "aws_default_network_acl").values()
    assert acl["default_network_acl_id"] == ref("aws_vpc", vpc_name, "default_network_acl_id")
    assert acl["ingress"] == [] and acl["egress"] == []


def test_each_tier_has_its_own_network_acl_covering_all_its_subnets(stacks, environment):
    stack = stacks[environment]
    subnets = resources(stack, "aws_subnet")
    for tier in TIERS:
        _, acl = find(stack, "aws_network_acl", f"network/{tier}-network-acl")
        covered = {name for token in acl["subnet_ids"] for _, name in referenced(token)}
        assert covered == {n for n, s in subnets.items() if s["tags"]["Tier"] == tier}


def test_database_network_acl_leaves_only_to_the_vpc_or_https(stacks, configs, environment):
    _, acl = find(stacks[environment], "aws_network_acl", "network/database-network-acl")
    vpc_cidr = configs[environment].network.vpc_cidr
    for rule in acl["egress"]:
        assert rule["cidr_block"] == vpc_cidr or (rule["protocol"] == "tcp" and rule["from_port"] == rule["to_port"] == 443)


def test_flow_logs_capture_all_traffic_to_an_encrypted_log_group(stacks, configs, environment):
    stack = stacks[environment]
    (flow_log,) = resources(stack, "aws_flow_log").values()
    assert flow_log["traffic_type"] == "ALL"
    assert flow_log["log_destination_type"] == "cloud-watch-logs"
    ((kind, group_name),) = referenced(flow_log["log_destination"])
    assert kind == "aws_cloudwatch_log_group"
    group = resources(stack, "aws_cloudwatch_log_group")[group_name]
    assert group["retention_in_days"] == configs[environment].network.flow_log_retention_days
    assert {k for k, _ in referenced(group["kms_key_id"])} == {"aws_kms_key"}
    assert group["name"] == f"/acme/{environment}/vpc-flow-logs"


def test_flow_log_role_trusts_only_this_accounts_flow_logs_service(stacks, environment):
    from tests.synth import document_name_of, policy_statements

    stack = stacks[environment]
    _, role = find(stack, "aws_iam_role", "network/flow-log-role/role")
    (trust,) = policy_statements(stack, document_name_of(role["assume_role_policy"]))
    assert trust["principals"] == [{"type": "Service", "identifiers": ["vpc-flow-logs.amazonaws.com"]}]
    variables = {c["variable"] for c in trust["condition"]}
    assert variables == {"aws:SourceAccount", "aws:SourceArn"}


def test_gateway_endpoints_serve_private_and_database_route_tables(stacks, environment):
    stack = stacks[environment]
    tables = resources(stack, "aws_route_table")
    expected = {n for n, t in tables.items() if t["tags"]["Tier"] in ("private", "database")}
    for service in ("s3", "dynamodb"):
        _, endpoint = find(stack, "aws_vpc_endpoint", f"network/{service}-gateway-endpoint")
        assert endpoint["vpc_endpoint_type"] == "Gateway"
        assert endpoint["service_name"] == f"com.amazonaws.us-east-1.{service}"
        assert {n for token in endpoint["route_table_ids"] for _, n in referenced(token)} == expected


def test_interface_endpoints_follow_config(stacks, configs, environment):
    stack = stacks[environment]
    wanted = set(configs[environment].network.interface_endpoints)
    interface = [e for e in resources(stack, "aws_vpc_endpoint").values() if e["vpc_endpoint_type"] == "Interface"]
    assert {e["service_name"].rsplit(".", 1)[-1] for e in interface} == wanted
    for endpoint in interface:
        assert endpoint["private_dns_enabled"] is True


def test_prod_has_the_default_interface_endpoints_and_dev_none(configs):
    assert set(configs["prod"].network.interface_endpoints) == {"ssm", "ssmmessages", "ec2messages", "kms", "logs", "sts"}
    assert configs["dev"].network.interface_endpoints == []


@pytest.mark.parametrize("environment", ["staging", "prod"])
def test_endpoint_security_group_admits_only_https_from_the_vpc(stacks, configs, environment):
    stack = stacks[environment]
    group_name, _ = find(stack, "aws_security_group", "network/endpoint-security-group")
    rules = [
        r for r in resources(stack, "aws_vpc_security_group_ingress_rule").values()
        if r["security_group_id"] == ref("aws_security_group", group_name)
    ]
    assert rules == [
        {**rules[0], "ip_protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_ipv4": configs[environment].network.vpc_cidr}
    ]
    for endpoint in resources(stack, "aws_vpc_endpoint").values():
        if endpoint["vpc_endpoint_type"] == "Interface":
            assert endpoint["security_group_ids"] == [ref("aws_security_group", group_name)]
            assert len(endpoint["subnet_ids"]) == len(configs[environment].network.availability_zones)


def test_outputs_name_the_vpc_subnets_and_nats(stacks, environment):
    outputs = stacks[environment]["output"]
    for name in ("vpc_id", "public_subnet_ids", "private_subnet_ids", "database_subnet_ids", "nat_gateway_ids"):
        assert name in outputs, name
    assert len(outputs["database_subnet_ids"]["value"]) == len(outputs["public_subnet_ids"]["value"])


def test_every_network_resource_lives_under_the_network_construct(stacks, environment):
    for kind in ("aws_vpc", "aws_subnet", "aws_nat_gateway", "aws_route_table", "aws_flow_log"):
        for body in resources(stacks[environment], kind).values():
            assert construct_path(body).startswith(f"{environment}/network/")


def test_only_the_public_tier_admits_answers_on_every_nat_port(stacks, environment):
    stack = stacks[environment]
    for tier, low in (("public", 1024), ("private", 32768), ("database", 32768)):
        _, acl = find(stack, "aws_network_acl", f"network/{tier}-network-acl")
        from_anywhere = [r for r in acl["ingress"] if r.get("cidr_block") == "0.0.0.0/0" and r["action"] == "allow"]
        assert from_anywhere and {(r["from_port"], r["to_port"]) for r in from_anywhere} == {(low, 65535)}, tier
        if tier != "public":
            assert all(not r["from_port"] <= 3389 <= r["to_port"] for r in from_anywhere), "RDP port admitted"


@pytest.mark.parametrize("tier", TIERS)
def test_every_acl_refuses_remote_admin_ports_from_anywhere_before_it_admits_the_ephemeral_range(stacks, configs, environment, tier):
    """CIS 5.1/5.2: SSH, RDP (and WinRM) from 0.0.0.0/0 and ::/0 are denied by rules numbered after the VPC's own
    allow and before every allow from anywhere, so no later allow (the public tier's 1024-65535) can admit them."""
    _, acl = find(stacks[environment], "aws_network_acl", f"network/{tier}-network-acl")
    denied = {
        (rule.get("cidr_block") or rule.get("ipv6_cidr_block"), rule["from_port"], rule["to_port"]): rule["rule_no"]
        for rule in acl["ingress"] if rule["action"] == "deny" and rule["protocol"] == "tcp"
    }
    assert set(denied) == {(cidr, first, last) for cidr in ("0.0.0.0/0", "::/0") for first, last in ((22, 22), (3389, 3389), (5985, 5986))}
    vpc_allow = [r["rule_no"] for r in acl["ingress"] if r.get("cidr_block") == configs[environment].network.vpc_cidr]
    anywhere_allows = [
        r["rule_no"] for r in acl["ingress"] if r["action"] == "allow" and (r.get("cidr_block") == "0.0.0.0/0" or r.get("ipv6_cidr_block") == "::/0")
    ]
    assert anywhere_allows, "the tier admits the answers to its own calls"
    assert max(vpc_allow) < min(denied.values()) and max(denied.values()) < min(anywhere_allows)
    assert len(set(r["rule_no"] for r in acl["ingress"])) == len(acl["ingress"]), "rule numbers are unique"


def test_flow_log_role_may_write_only_its_log_group(stacks, environment):
    from tests.synth import by_sid, statements_of

    stack = stacks[environment]
    _, permissions = find(stack, "aws_iam_role_policy", "network/flow-log-role/permissions")
    statements = by_sid(statements_of(stack, permissions["policy"]))
    group = f"arn:${{data.aws_partition.current-partition.partition}}:logs:us-east-1:${{data.aws_caller_identity.current-account.account_id}}:log-group:/acme/{environment}/vpc-flow-logs"
    assert statements["WriteToTheFlowLogGroup"]["resources"] == [group, f"{group}:*"]
