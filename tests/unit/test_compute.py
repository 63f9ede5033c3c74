"""The app tier: IMDSv2-only servers in the private subnets, from one hardened launch template."""

from __future__ import annotations

import base64

import pytest

from constructs_lib.user_data import user_data
from platform_core.naming import ResourceNames
from tests.synth import find, ref, resources, statements_of


def template(stack):
    return find(stack, "aws_launch_template", "compute/launch-template")


def test_launch_template_requires_imdsv2_with_hop_limit_one(stacks, environment):
    _, lt = template(stacks[environment])
    assert lt["metadata_options"] == {"http_endpoint": "enabled", "http_tokens": "required", "http_put_response_hop_limit": 1}


def test_launch_template_encrypts_the_root_volume_and_monitors_in_detail(stacks, environment):
    _, lt = template(stacks[environment])
    (device,) = lt["block_device_mappings"]
    assert device["ebs"]["encrypted"] == "true" and device["ebs"]["volume_type"] == "gp3"
    assert lt["monitoring"] == {"enabled": True}


def test_ami_from_the_public_ssm_parameter_for_al2023(stacks, configs, environment):
    stack = stacks[environment]
    name, parameter = find(stack, "aws_ssm_parameter", "compute/ami", data=True)
    assert parameter["name"] == configs[environment].compute.ami_parameter
    assert "al2023" in parameter["name"]
    assert template(stack)[1]["image_id"] == f"${{data.aws_ssm_parameter.{name}.insecure_value}}"


def test_user_data_installs_and_starts_both_agents(stacks, environment):
    _, lt = template(stacks[environment])
    script = base64.b64decode(lt["user_data"]).decode()
    assert script == user_data(ResourceNames("acme", environment))
    assert "dnf install -y amazon-cloudwatch-agent amazon-ssm-agent" in script
    assert "amazon-cloudwatch-agent-ctl -a fetch-config -m ec2 -s" in script
    assert "systemctl enable --now amazon-ssm-agent" in script
    assert f'"log_group_name": "/acme/{environment}/app"' in script


@pytest.mark.parametrize("environment, count", [("dev", 2), ("staging", 2), ("prod", 3)])
def test_one_server_per_az_in_the_private_subnets(stacks, configs, environment, count):
    stack = stacks[environment]
    servers = resources(stack, "aws_instance")
    assert len(servers) == count == len(configs[environment].network.availability_zones) * configs[environment].compute.instances_per_az
    private = {ref("aws_subnet", n) for n, s in resources(stack, "aws_subnet").items() if s["tags"]["Tier"] == "private"}
    assert {s["subnet_id"] for s in servers.values()} == private


def test_servers_come_from_the_template_without_public_ips(stacks, environment):
    stack = stacks[environment]
    lt_name, lt = template(stack)
    for server in resources(stack, "aws_instance").values():
        assert server["launch_template"] == {"id": ref("aws_launch_template", lt_name), "version": ref("aws_launch_template", lt_name, "latest_version")}
        assert server["associate_public_ip_address"] is False
        assert server["metadata_options"] == lt["metadata_options"]
        assert server["user_data_base64"] == lt["user_data"]
        assert server["monitoring"] is True


def test_instance_role_grants_ssm_cloudwatch_agent_and_reading_the_data_lake_only(stacks, environment):
    stack = stacks[environment]
    _, role = find(stack, "aws_iam_role", "compute/instance-role/role")
    (trust,) = statements_of(stack, role["assume_role_policy"])
    assert trust["principals"] == [{"type": "Service", "identifiers": ["ec2.amazonaws.com"]}]
    managed = {a["policy_arn"].rsplit("/", 1)[-1] for n, a in resources(stack, "aws_iam_role_policy_attachment").items() if "compute/instance-role" in a["//"]["metadata"]["path"]}
    assert managed == {"AmazonSSMManagedInstanceCore", "CloudWatchAgentServerPolicy"}
    _, inline = find(stack, "aws_iam_role_policy", "compute/instance-role/permissions")
    statements = {s["sid"]: s for s in statements_of(stack, inline["policy"])}
    data_bucket = ref("aws_s3_bucket", find(stack, "aws_s3_bucket", "data-lake/data/bucket")[0], "arn")
    data_key = ref("aws_kms_key", find(stack, "aws_kms_key", "keys/data-key/key")[0], "arn")
    assert statements["ReadTheDataLake"]["actions"] == ["s3:GetObject"] and statements["ReadTheDataLake"]["resources"] == [f"{data_bucket}/*"]
    assert statements["ListTheDataLake"]["resources"] == [data_bucket]
    assert statements["DecryptTheDataLakeThroughS3"]["resources"] == [data_key]
    assert statements["DecryptTheDataLakeThroughS3"]["condition"][0]["variable"] == "kms:ViaService"
    _, profile = find(stack, "aws_iam_instance_profile", "compute/instance-profile")
    assert template(stack)[1]["iam_instance_profile"] == {"arn": ref("aws_iam_instance_profile", find(stack, "aws_iam_instance_profile", "compute/instance-profile")[0], "arn")}


def test_app_security_group_egress_is_https_out_and_mysql_to_the_database(stacks, environment):
    stack = stacks[environment]
    app_name, _ = find(stack, "aws_security_group", "compute/security-group")
    db_name, _ = find(stack, "aws_security_group", "database/security-group")
    app = ref("aws_security_group", app_name)
    ingress = [r for r in resources(stack, "aws_vpc_security_group_ingress_rule").values() if r["security_group_id"] == app]
    egress = [r for r in resources(stack, "aws_vpc_security_group_egress_rule").values() if r["security_group_id"] == app]
    assert ingress == []
    assert sorted((r["from_port"], r.get("cidr_ipv4"), r.get("referenced_security_group_id")) for r in egress) == [
        (443, "0.0.0.0/0", None),
        (3306, None, ref("aws_security_group", db_name)),
    ]


def test_status_check_and_cpu_alarms_per_server(stacks, environment):
    stack = stacks[environment]
    topic = ref("aws_sns_topic", find(stack, "aws_sns_topic", "alarm-topic/topic")[0], "arn")
    alarms = [a for a in resources(stack, "aws_cloudwatch_metric_alarm").values() if a.get("namespace") == "AWS/EC2"]
    servers = resources(stack, "aws_instance")
    assert sorted(a["metric_name"] for a in alarms) == sorted(["StatusCheckFailed", "CPUUtilization"] * len(servers))
    assert {a["dimensions"]["InstanceId"] for a in alarms} == {ref("aws_instance", n) for n in servers}
    assert all(a["alarm_actions"] == [topic] for a in alarms)


def test_compute_outputs(stacks, environment):
    outputs = stacks[environment]["output"]
    assert outputs["app_instance_ids"]["value"] == [ref("aws_instance", n) for n in resources(stacks[environment], "aws_instance")]
    assert {"app_security_group_id", "database_security_group_id", "dashboard_name"} <= set(outputs)
