"""The compute tier: application servers in the private subnets, from one hardened launch template.

What it creates, and why:

* A security group for the app tier whose egress is only what the servers
  need: HTTPS out (AWS APIs, Systems Manager, package repositories, through NAT
  or the endpoints) and MySQL to the database's security group. No ingress:
  operators reach the servers through Systems Manager Session Manager.
* An instance role that grants only the SSM core and CloudWatch agent managed
  policies, and reading the data-lake data bucket with its key (through S3).
* A launch template: IMDSv2 required with a hop limit of 1, an encrypted gp3
  root volume, detailed monitoring, and user data that installs and starts the
  CloudWatch agent (shipping the app logs to an encrypted log group) and the
  SSM agent. The AMI comes from the public SSM parameter for Amazon Linux 2023
  unless the environment pins one.
* App servers across the private subnets (``instances_per_az`` in every AZ),
  without public IPs. Each repeats the template's metadata options, profile and
  user data, which are valid on AWS and needed where a launch template is not
  fully inherited (the local emulator).
* Alarms to the alarm topic: status-check failures and CPU, per server.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass

from cdktf import Token
from constructs import Construct

from constructs_lib.alarms import AlarmSpec, metric_alarm
from constructs_lib.context import PlatformContext
from constructs_lib.iam_documents import statement
from constructs_lib.identity import ServiceRole, ServiceRoleProps
from constructs_lib.logs import EncryptedLogGroup, EncryptedLogGroupProps
from constructs_lib.security_groups import allow_https_out, tier_security_group
from constructs_lib.user_data import app_log_group_name, user_data
from environments.workload_schema import ComputeConfig, MonitoringConfig
from synth_runtime.provider_bindings import aws

ROOT_VOLUME_GB = 20
@dataclass(frozen=True)
class ComputeProps:
    """The app servers' settings, where they run, and the data-lake bucket and key they may read."""

    settings: ComputeConfig
    """The environment's ``[compute]`` settings."""
    monitoring: MonitoringConfig
    """``monitoring.cpu_alarm_percent`` is the CPU alarm's threshold."""
    vpc_id: str
    private_subnet_ids: Mapping[str, str]
    """The private subnet of each AZ, keyed by AZ letter."""
    data_bucket_arn: str
    data_key_arn: str


class Compute(Construct):
    """The app tier. See the module docstring."""

    def __init__(self, scope: Construct, construct_id: str, ctx: PlatformContext, props: ComputeProps) -> None:
        super().__init__(scope, construct_id)
        names = ctx.names
        self.security_group = tier_security_group(
            self,
            "security-group",
            names=names,
            purpose="app",
            description="App servers: no ingress; HTTPS out and MySQL to the database",
            vpc_id=props.vpc_id,
        )
        allow_https_out(
            self, "https-out", security_group_id=self.security_group.id, description="HTTPS to AWS APIs and package repositories"
        )
        self.log_group = EncryptedLogGroup(
            self,
            "app-log-group",
            EncryptedLogGroupProps(
                name=app_log_group_name(names), retention_days=ctx.log_retention_days, kms_key_arn=ctx.logs_key_arn
            ),
        )
        role = ServiceRole(
            self,
            "instance-role",
            ctx,
            ServiceRoleProps(
                purpose="app-server",
                description="App servers: SSM core, the CloudWatch agent, and reading the data lake",
                service="ec2.amazonaws.com",
                # EC2 sets no source account or ARN when it assumes an instance role.
                account_condition=False,
                managed_policy_arns=[
                    ctx.aws_managed_policy("AmazonSSMManagedInstanceCore"),
                    ctx.aws_managed_policy("CloudWatchAgentServerPolicy"),
                ],
                statements=[
                    statement("ReadTheDataLake", actions=["s3:GetObject"], resources=[f"{props.data_bucket_arn}/*"]),
                    statement("ListTheDataLake", actions=["s3:ListBucket"], resources=[props.data_bucket_arn]),
                    statement(
                        "DecryptTheDataLakeThroughS3",
                        actions=["kms:Decrypt"],
                        resources=[props.data_key_arn],
                        conditions=[("StringEquals", "kms:ViaService", [f"s3.{ctx.region}.amazonaws.com"])],
                    ),
                ],
            ),
        )
        self.instance_profile = aws.iam_instance_profile.IamInstanceProfile(
            self, "instance-profile", name=names.name("app-server"), role=role.name
        )
        image_id = props.settings.ami_id or aws.data_aws_ssm_parameter.DataAwsSsmParameter(
            self, "ami", name=props.settings.ami_parameter
        ).insecure_value
        script = base64.b64encode(user_data(names).encode()).decode()
        template = aws.launch_template
        self.launch_template = template.LaunchTemplate(
            self,
            "launch-template",
            name=names.name("app"),
            description="App servers: IMDSv2 only, encrypted root volume, agents installed at boot",
            image_id=image_id,
            instance_type=props.settings.instance_type,
            vpc_security_group_ids=[self.security_group.id],
            iam_instance_profile=template.LaunchTemplateIamInstanceProfile(arn=self.instance_profile.arn),
            metadata_options=template.LaunchTemplateMetadataOptions(
                http_endpoint="enabled", http_tokens="required", http_put_response_hop_limit=1
            ),
            monitoring=template.LaunchTemplateMonitoring(enabled=True),
            ebs_optimized="true",
            block_device_mappings=[
                template.LaunchTemplateBlockDeviceMappings(
                    device_name="/dev/xvda",
                    ebs=template.LaunchTemplateBlockDeviceMappingsEbs(
                        volume_size=ROOT_VOLUME_GB, volume_type="gp3", encrypted="true", delete_on_termination="true"
                    ),
                )
            ],
            user_data=script,
            update_default_version=True,
            tag_specifications=[
                template.LaunchTemplateTagSpecifications(resource_type=kind, tags={"Name": names.name("app")})
                for kind in ("instance", "volume")
            ],
        )
        self.instances = {}
        for letter, subnet_id in props.private_subnet_ids.items():
            for number in range(1, props.settings.instances_per_az + 1):
                slug = f"{letter}-{number}"
                self.instances[slug] = aws.instance.Instance(
                    self,
                    f"app-server-{slug}",
                    launch_template=aws.instance.InstanceLaunchTemplate(
                        id=self.launch_template.id, version=Token.as_string(self.launch_template.latest_version)
                    ),
                    subnet_id=subnet_id,
                    associate_public_ip_address=False,
                    metadata_options=aws.instance.InstanceMetadataOptions(
                        http_endpoint="enabled", http_tokens="required", http_put_response_hop_limit=1
                    ),
                    iam_instance_profile=self.instance_profile.name,
                    monitoring=True,
                    ebs_optimized=True,
                    root_block_device=aws.instance.InstanceRootBlockDevice(
                        volume_size=ROOT_VOLUME_GB, volume_type="gp3", encrypted=True, delete_on_termination=True
                    ),
                    user_data_base64=script,
                    tags={"Name": names.name(f"app-{slug}")},
                )
        self._alarms(ctx, props.monitoring.cpu_alarm_percent)

    def allow_egress_to(self, construct_id: str, security_group_id: str, port: int, description: str) -> None:
        """Let the app servers reach another security group on one TCP port (the wiring adds the database)."""
        aws.vpc_security_group_egress_rule.VpcSecurityGroupEgressRule(
            self,
            construct_id,
            security_group_id=self.security_group.id,
            description=description,
            ip_protocol="tcp",
            from_port=port,
            to_port=port,
            referenced_security_group_id=security_group_id,
        )

    def _alarms(self, ctx: PlatformContext, cpu_alarm_percent: int) -> None:
        for slug, server in self.instances.items():
            for kind, metric, statistic, threshold, periods, what in (
                ("status-check", "StatusCheckFailed", "Maximum", 1, 2, "a failed status check"),
                ("cpu", "CPUUtilization", "Average", cpu_alarm_percent, 3, f"CPU at or above {cpu_alarm_percent}%"),
            ):
                metric_alarm(
                    self,
                    f"app-server-{slug}-{kind}-alarm",
                    ctx,
                    AlarmSpec(
                        purpose=f"app-{slug}-{kind}",
                        description=f"App server {slug} in {ctx.names.environment}: {what}",
                        runbook=f"app-server-{kind}",
                        namespace="AWS/EC2",
                        metric=metric,
                        dimensions={"InstanceId": server.id},
                        statistic=statistic,
                        evaluation_periods=periods,
                        threshold=threshold,
                        treat_missing_data="missing",
                    ),
                )

    @property
    def instance_ids(self) -> list[str]:
        return [server.id for server in self.instances.values()]
