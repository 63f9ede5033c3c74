"""The CIS AWS Foundations Benchmark v3.0.0 monitoring checks (4.1-4.15), as data (no CDKTF import).

Each entry is a CloudWatch Logs filter pattern over CloudTrail records, with
the benchmark's control id; the pattern text follows the benchmark's
monitoring section. Where the benchmark's text leaves ``||`` and ``&&`` to
precedence, the pattern spells out the grouping the benchmark means.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CisCheck:
    """One monitoring control: ``id`` names its metric, filter and alarm; ``cis_id`` is the benchmark's number."""

    cis_id: str
    id: str
    title: str
    pattern: str

    @property
    def runbook(self) -> str:
        """The alarm's runbook, ``docs/runbooks/alarms/cis-<cis id>-<id>.md``: ``cis-4.1-unauthorized-api-calls``."""
        return f"cis-{self.cis_id}-{self.id}"


def _any_event(*names: str, source: str | None = None) -> str:
    events = " || ".join(f"($.eventName = {name})" for name in names)
    return f"{{ ($.eventSource = {source}) && ({events}) }}" if source else f"{{ {events} }}"


CIS_CHECKS: tuple[CisCheck, ...] = (
    CisCheck(
        "4.1",
        "unauthorized-api-calls",
        "Unauthorized API calls",
        '{ (($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*")) && '
        '($.sourceIPAddress != "delivery.logs.amazonaws.com") && ($.eventName != "HeadBucket") }',
    ),
    CisCheck(
        "4.2",
        "console-signin-without-mfa",
        "Console sign-in without MFA",
        '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && '
        '($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }',
    ),
    CisCheck(
        "4.3",
        "root-account-usage",
        "Root account usage",
        '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }',
    ),
    CisCheck(
        "4.4",
        "iam-policy-changes",
        "IAM policy changes",
        _any_event(
            "DeleteGroupPolicy", "DeleteRolePolicy", "DeleteUserPolicy", "PutGroupPolicy", "PutRolePolicy",
            "PutUserPolicy", "CreatePolicy", "DeletePolicy", "CreatePolicyVersion", "DeletePolicyVersion",
            "AttachRolePolicy", "DetachRolePolicy", "AttachUserPolicy", "DetachUserPolicy", "AttachGroupPolicy",
            "DetachGroupPolicy",
        ),
    ),
    CisCheck(
        "4.5",
        "cloudtrail-configuration-changes",
        "CloudTrail configuration changes",
        _any_event("CreateTrail", "UpdateTrail", "DeleteTrail", "StartLogging", "StopLogging"),
    ),
    CisCheck(
        "4.6",
        "console-authentication-failures",
        "Console authentication failures",
        '{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }',
    ),
    CisCheck(
        "4.7",
        "kms-key-disabled-or-scheduled-for-deletion",
        "KMS key disabled or scheduled for deletion",
        _any_event("DisableKey", "ScheduleKeyDeletion", source="kms.amazonaws.com"),
    ),
    CisCheck(
        "4.8",
        "s3-bucket-policy-changes",
        "S3 bucket policy changes",
        _any_event(
            "PutBucketAcl", "PutBucketPolicy", "PutBucketCors", "PutBucketLifecycle", "PutBucketReplication",
            "DeleteBucketPolicy", "DeleteBucketCors", "DeleteBucketLifecycle", "DeleteBucketReplication",
            source="s3.amazonaws.com",
        ),
    ),
    CisCheck(
        "4.9",
        "config-changes",
        "AWS Config configuration changes",
        _any_event(
            "StopConfigurationRecorder", "DeleteDeliveryChannel", "PutDeliveryChannel", "PutConfigurationRecorder",
            source="config.amazonaws.com",
        ),
    ),
    CisCheck(
        "4.10",
        "security-group-changes",
        "Security group changes",
        _any_event(
            "AuthorizeSecurityGroupIngress", "AuthorizeSecurityGroupEgress", "RevokeSecurityGroupIngress",
            "RevokeSecurityGroupEgress", "CreateSecurityGroup", "DeleteSecurityGroup",
        ),
    ),
    CisCheck(
        "4.11",
        "network-acl-changes",
        "Network ACL changes",
        _any_event(
            "CreateNetworkAcl", "CreateNetworkAclEntry", "DeleteNetworkAcl", "DeleteNetworkAclEntry",
            "ReplaceNetworkAclEntry", "ReplaceNetworkAclAssociation",
        ),
    ),
    CisCheck(
        "4.12",
        "network-gateway-changes",
        "Network gateway changes",
        _any_event(
            "CreateCustomerGateway", "DeleteCustomerGateway", "AttachInternetGateway", "CreateInternetGateway",
            "DeleteInternetGateway", "DetachInternetGateway",
        ),
    ),
    CisCheck(
        "4.13",
        "route-table-changes",
        "Route table changes",
        _any_event(
            "CreateRoute", "CreateRouteTable", "ReplaceRoute", "ReplaceRouteTableAssociation", "DeleteRouteTable",
            "DeleteRoute", "DisassociateRouteTable", source="ec2.amazonaws.com",
        ),
    ),
    CisCheck(
        "4.14",
        "vpc-changes",
        "VPC changes",
        _any_event(
            "CreateVpc", "DeleteVpc", "ModifyVpcAttribute", "AcceptVpcPeeringConnection", "CreateVpcPeeringConnection",
            "DeleteVpcPeeringConnection", "RejectVpcPeeringConnection", "AttachClassicLinkVpc", "DetachClassicLinkVpc",
            "DisableVpcClassicLink", "EnableVpcClassicLink",
        ),
    ),
    CisCheck(
        "4.15",
        "organizations-changes",
        "AWS Organizations changes",
        _any_event(
            "AcceptHandshake", "AttachPolicy", "CreateAccount", "CreateOrganizationalUnit", "CreatePolicy",
            "DeclineHandshake", "DeleteOrganization", "DeleteOrganizationalUnit", "DeletePolicy", "DetachPolicy",
            "DisablePolicyType", "EnablePolicyType", "InviteAccountToOrganization", "LeaveOrganization",
            "MoveAccount", "RemoveAccountFromOrganization", "UpdatePolicy", "UpdateOrganizationalUnit",
            source="organizations.amazonaws.com",
        ),
    ),
)
"""The benchmark's fifteen monitoring controls, in its order."""

CIS_CHECK_IDS: tuple[str, ...] = tuple(check.id for check in CIS_CHECKS)
