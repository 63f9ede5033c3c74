"""CIS alarms: a metric filter on the trail's log group and an alarm to the topic, per CIS check."""

from __future__ import annotations

import pytest

from platform_core.cis_catalogue import CIS_CHECKS
from tests.synth import find, ref, resources

REQUIRED = {
    "unauthorized-api-calls": ["UnauthorizedOperation", "AccessDenied", "HeadBucket"],
    "console-signin-without-mfa": ["ConsoleLogin", "MFAUsed"],
    "root-account-usage": ['"Root"'],
    "iam-policy-changes": ["PutRolePolicy", "AttachUserPolicy", "CreatePolicyVersion"],
    "cloudtrail-configuration-changes": ["StopLogging", "DeleteTrail"],
    "console-authentication-failures": ["Failed authentication"],
    "kms-key-disabled-or-scheduled-for-deletion": ["DisableKey", "ScheduleKeyDeletion"],
    "s3-bucket-policy-changes": ["PutBucketPolicy", "DeleteBucketPolicy"],
    "config-changes": ["config.amazonaws.com", "StopConfigurationRecorder", "DeleteDeliveryChannel", "PutDeliveryChannel", "PutConfigurationRecorder"],
    "security-group-changes": ["AuthorizeSecurityGroupIngress"],
    "network-acl-changes": ["CreateNetworkAclEntry"],
    "network-gateway-changes": ["CreateInternetGateway"],
    "route-table-changes": ["CreateRoute"],
    "vpc-changes": ["CreateVpc", "ModifyVpcAttribute"],
    "organizations-changes": ["organizations.amazonaws.com", "CreateAccount", "LeaveOrganization", "AttachPolicy"],
}


def test_the_catalogue_holds_the_benchmarks_fifteen_monitoring_controls_in_order():
    assert [c.cis_id for c in CIS_CHECKS] == [f"4.{n}" for n in range(1, 16)]


def test_the_catalogue_covers_every_required_check():
    assert {c.id for c in CIS_CHECKS} == set(REQUIRED)
    for check in CIS_CHECKS:
        for fragment in REQUIRED[check.id]:
            assert fragment in check.pattern, (check.id, fragment)
        assert check.pattern.startswith("{") and check.pattern.endswith("}")


@pytest.mark.parametrize("check", CIS_CHECKS, ids=lambda c: c.id)
def test_each_check_filters_the_trail_log_group_and_alarms_to_the_topic(stacks, environment, check):
    stack = stacks[environment]
    group_name, _ = find(stack, "aws_cloudwatch_log_group", "audit-trail/log-group/log-group")
    topic_name, _ = find(stack, "aws_sns_topic", "alarm-topic/topic")
    _, metric_filter = find(stack, "aws_cloudwatch_log_metric_filter", f"cis-alarms/{check.id}-filter")
    _, alarm = find(stack, "aws_cloudwatch_metric_alarm", f"cis-alarms/{check.id}-alarm")
    assert metric_filter["log_group_name"] == ref("aws_cloudwatch_log_group", group_name, "name")
    assert metric_filter["pattern"] == check.pattern
    transformation = metric_filter["metric_transformation"]
    assert (transformation["name"], transformation["namespace"], transformation["value"]) == (check.id, f"acme/{environment}/CIS", "1")
    assert (alarm["metric_name"], alarm["namespace"]) == (check.id, f"acme/{environment}/CIS")
    assert alarm["comparison_operator"] == "GreaterThanOrEqualToThreshold" and alarm["threshold"] == 1
    assert alarm["statistic"] == "Sum" and alarm["period"] == 300 and alarm["evaluation_periods"] == 1
    assert alarm["alarm_actions"] == [ref("aws_sns_topic", topic_name, "arn")]
    assert alarm["alarm_description"].startswith(f"CIS {check.cis_id}: "), "a notification names the control that fired"


def test_no_extra_filters_or_alarms(stacks, environment):
    assert len(resources(stacks[environment], "aws_cloudwatch_log_metric_filter")) == len(CIS_CHECKS)
