"""Compute checks: the app servers' metadata options, subnets, public IPs, profile and template."""

from __future__ import annotations

import base64

from ops.verify import VerifyContext, expect


def _servers(ctx: VerifyContext) -> list[dict]:
    prefix = f"{ctx.config.project}-app-"
    reservations = ctx.client("ec2").describe_instances(
        Filters=[{"Name": "tag:Environment", "Values": [ctx.config.name]}, {"Name": "instance-state-name", "Values": ["pending", "running"]}]
    )["Reservations"]
    servers = [i for r in reservations for i in r["Instances"] if any(t["Key"] == "Name" and t["Value"].startswith(prefix) for t in i.get("Tags", []))]
    wanted = len(ctx.config.network.availability_zones) * ctx.config.compute.instances_per_az
    expect(len(servers) == wanted, f"{len(servers)} app servers running, expected {wanted}")
    return servers


def imdsv2(ctx: VerifyContext) -> str:
    for server in _servers(ctx):
        options = server["MetadataOptions"]
        expect(options["HttpTokens"] == "required" and options["HttpPutResponseHopLimit"] == 1, f"{server['InstanceId']}: {options}")
    return "HttpTokens=required, hop limit 1"


def private_subnets_without_public_ips(ctx: VerifyContext) -> str:
    tiers = ctx.subnet_tiers()
    servers = _servers(ctx)
    azs = set()
    for server in servers:
        expect(tiers.get(server["SubnetId"]) == "private", f"{server['InstanceId']} is in {server['SubnetId']}")
        expect(not server.get("PublicIpAddress"), f"{server['InstanceId']} has public IP {server.get('PublicIpAddress')}")
        azs.add(server["Placement"]["AvailabilityZone"])
    expect(azs == set(ctx.config.network.availability_zones), f"servers in {sorted(azs)}")
    return f"{len(servers)} servers in {len(azs)} AZs"


def profile_and_monitoring(ctx: VerifyContext) -> None:
    for server in _servers(ctx):
        profile = server.get("IamInstanceProfile", {}).get("Arn", "")
        expect(profile.endswith(f":instance-profile/{ctx.names.name('app-server')}"), f"{server['InstanceId']} profile {profile}")
        expect(server["Monitoring"]["State"] == "enabled", f"{server['InstanceId']} monitoring {server['Monitoring']['State']}")


def launch_template(ctx: VerifyContext) -> None:
    ec2 = ctx.client("ec2")
    (version,) = ec2.describe_launch_template_versions(LaunchTemplateName=ctx.names.name("app"), Versions=["$Latest"])["LaunchTemplateVersions"]
    data = version["LaunchTemplateData"]
    expect(data["MetadataOptions"]["HttpTokens"] == "required", f"template metadata {data['MetadataOptions']}")
    (device,) = data["BlockDeviceMappings"]
    expect(device["Ebs"]["Encrypted"] is True, "the template's root volume is not encrypted")
    script = base64.b64decode(data["UserData"]).decode()
    expect("amazon-cloudwatch-agent" in script and "amazon-ssm-agent" in script, "user data does not start both agents")


CHECKS = [
    ("compute", "app servers require IMDSv2 with hop limit 1", imdsv2),
    ("compute", "app servers in every AZ's private subnet, no public IPs", private_subnets_without_public_ips),
    ("compute", "app servers carry the instance profile and detailed monitoring", profile_and_monitoring),
    ("compute", "launch template: IMDSv2, encrypted root volume, both agents in user data", launch_template),
]
