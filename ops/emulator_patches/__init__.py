"""Where moto answers differently from AWS in a way the AWS provider cannot live with.

The patches are applied inside the emulator process only (``ops/moto_server.py`` calls
:func:`apply_patches`). None of them changes what the platform deploys; they make the
emulator behave the way AWS does. Each module holds one AWS service's patches, or one
concern's (``dispatch``: how requests reach moto; ``authorization``: who moto lets in).

To add a patch: write one function per quirk, named after it, in the module of its
service, its docstring saying what moto does, what AWS does, and what the patch does;
add it to :data:`PATCHES` below; add a test that shows the quirk on plain moto and the
fix on the patched emulator (``tests/ops/test_emulator_patches.py`` and its neighbours);
and add its row to README.md under "Emulator differences".
"""

from __future__ import annotations

from collections.abc import Callable

from ops.emulator_patches import (
    access_analyzer,
    authorization,
    backup,
    cloudtrail,
    dispatch,
    ec2,
    rds,
    s3,
    security_services,
    serverless,
)

__all__ = ["PATCHES", "apply_patches"]

PATCHES: list[Callable[[], None]] = [
    access_analyzer.access_analyzer_is_served,  # first: the one-request gate below wraps it
    dispatch.requests_are_dispatched_one_at_a_time,
    cloudtrail.trails_are_described_by_name_or_arn,
    cloudtrail.trail_selectors_are_replaced_and_described,
    rds.rds_instances_get_their_own_resource_ids,
    rds.rds_instances_get_the_current_default_ca,
    rds.rds_keeps_performance_insights_settings,
    rds.rds_marks_set_parameters_as_user_parameters,
    rds.rds_event_subscriptions_can_be_changed,
    ec2.group_referencing_rules_keep_their_description,
    serverless.lambda_keeps_its_dead_letter_config,
    serverless.rest_api_policy_is_returned_escaped,
    ec2.launch_template_data_keeps_only_its_own_tag_specifications,
    ec2.interfaces_without_a_public_ip_have_no_association,
    s3.bucket_policy_conditions_are_evaluated,
    s3.delete_markers_can_be_disposed,
    authorization.smoke_sessions_are_authorized,
    s3.bucket_metrics_configurations_are_kept,
    cloudtrail.trail_deletion_accepts_an_arn,
    ec2.instance_monitoring_can_be_switched,
    security_services.guardduty_detector_features_are_merged_by_name,
    security_services.securityhub_configuration_can_be_updated,
    security_services.securityhub_standards_can_be_subscribed,
    security_services.securityhub_findings_can_be_aggregated,
    ec2.ebs_default_kms_key_can_be_read_and_reset,
    backup.backup_tags_are_read_by_arn,
    backup.backup_selections_are_served,
    backup.backup_plans_can_be_updated_and_renamed_after_deletion,
    backup.backup_vault_notifications_are_served,
    backup.backup_recovery_points_can_be_listed,
    serverless.dynamodb_restores_keep_and_override_the_table_settings,
]


def apply_patches() -> None:
    for patch in PATCHES:
        patch()
