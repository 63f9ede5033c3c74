"""EC2: instance monitoring, network interfaces, launch templates, security-group rules, and the EBS default
KMS key."""

from __future__ import annotations

from typing import Any


def instance_monitoring_can_be_switched() -> None:
    """moto raises NotImplementedError (HTTP 500) for MonitorInstances and UnmonitorInstances,
    which the AWS provider calls for detailed monitoring and then retries forever. Here they
    switch the instance's monitoring state, as on AWS."""
    from moto.ec2.responses.monitoring import Monitoring

    def switch(self: Monitoring, action: str, state: str) -> str:
        self.error_on_dryrun()
        instance_ids = self._get_param("InstanceIds", [])
        for instance_id in instance_ids:
            self.ec2_backend.get_instance(instance_id).monitoring_state = state
        items = "".join(
            f"<item><instanceId>{i}</instanceId><monitoring><state>{state}</state></monitoring></item>" for i in instance_ids
        )
        return (
            f'<{action}Response xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">'
            f"<requestId>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</requestId><instancesSet>{items}</instancesSet>"
            f"</{action}Response>"
        )

    Monitoring.monitor_instances = lambda self: switch(self, "MonitorInstances", "enabled")  # type: ignore[method-assign]
    Monitoring.unmonitor_instances = lambda self: switch(self, "UnmonitorInstances", "disabled")  # type: ignore[method-assign]


def interfaces_without_a_public_ip_have_no_association() -> None:
    """moto answers an empty ``<association/>`` for a network interface with no public IP.
    The AWS provider reads any association as "has a public IP", so an instance launched
    with ``associate_public_ip_address = false`` drifts to true, which forces a replacement.
    AWS leaves the element out; so does this."""
    from moto.ec2.models.elastic_network_interfaces import NetworkInterface

    original = NetworkInterface.association

    def association(self: NetworkInterface) -> dict[str, Any] | None:
        return original.fget(self) or None  # type: ignore[union-attr]

    NetworkInterface.association = property(association)  # type: ignore[method-assign,assignment]


def launch_template_data_keeps_only_its_own_tag_specifications() -> None:
    """moto copies the tags of the launch template *resource* (the provider's default tags)
    into the template's data as a ``launch-template`` tag specification. The provider then
    plans to remove it on every run, which bumps the template version and replaces every
    instance launched from it. AWS keeps the two apart; so does this."""
    from moto.ec2.models.launch_templates import LaunchTemplateBackend

    original = LaunchTemplateBackend.create_launch_template

    def create_launch_template(self, name, description, template_data, tag_spec):  # type: ignore[no-untyped-def]
        specifications = template_data.get("TagSpecifications")
        if specifications:
            template_data["TagSpecifications"] = [s for s in specifications if s.get("ResourceType") != "launch-template"]
        return original(self, name, description, template_data, tag_spec)

    LaunchTemplateBackend.create_launch_template = create_launch_template  # type: ignore[method-assign]


def group_referencing_rules_keep_their_description() -> None:
    """moto reads a security-group rule's description from its CIDR range only, so a rule that
    references another group loses it and every plan sets it again. AWS keeps it; so does this."""
    from moto.ec2.models.security_groups import SecurityGroupRule

    def description(self: SecurityGroupRule) -> str | None:
        return self.ip_range.get("Description") or (self.source_group or {}).get("Description")

    SecurityGroupRule.description = property(description)  # type: ignore[method-assign,assignment]


def ebs_default_kms_key_can_be_read_and_reset() -> None:
    """moto implements ModifyEbsDefaultKmsKeyId but raises NotImplementedError (HTTP 500) for
    GetEbsDefaultKmsKeyId and ResetEbsDefaultKmsKeyId; ``aws_ebs_default_kms_key`` reads the key
    right after setting it, and the SDK retries the 500 until Terraform gives up. AWS returns the
    ARN of the key set, or, when none is set (or after a reset), the ARN of the account's
    AWS-managed ``alias/aws/ebs`` key (``key/<id>``, created on first use); so does this."""
    from moto.core.responses import ActionResult
    from moto.ec2.responses.elastic_block_store import ElasticBlockStore

    def get_ebs_default_kms_key_id(self: ElasticBlockStore) -> ActionResult:
        self.error_on_dryrun()
        backend = self.ec2_backend
        return ActionResult({"KmsKeyId": backend.default_kms_key_id or backend._create_default_encryption_key()})

    def reset_ebs_default_kms_key_id(self: ElasticBlockStore) -> ActionResult:
        self.error_on_dryrun()
        return ActionResult({"KmsKeyId": self.ec2_backend._create_default_encryption_key()})

    ElasticBlockStore.get_ebs_default_kms_key_id = get_ebs_default_kms_key_id  # type: ignore[attr-defined]
    ElasticBlockStore.reset_ebs_default_kms_key_id = reset_ebs_default_kms_key_id  # type: ignore[attr-defined]
