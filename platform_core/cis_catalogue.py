"""The CIS AWS Foundations Benchmark monitoring checks, as data (no CDKTF import).

Each entry is a CloudWatch Logs filter pattern over CloudTrail records; the
pattern text follows the benchmark's monitoring section.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CisCheck:
    id: str
    title: str
    pattern: str


def _any_event(*names: str, source: str | None = None) -> str:
    events = " || ".join(f"($.eventName = {name})" for name in names)
    return f"{{ ($.eventSource = {source}) && ({events}) }}" if source else f"{{ {events} }}"


CIS_CHECKS: tuple[CisCheck, ...] = (
    CisCheck(
        "unauthorized-api-calls",
        "Unauthorized API calls",
        '{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }',
    ),
    CisCheck(
        "console-signin-without-mfa",
        "Console sign-in without MFA",
        '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && '
        '($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }',
    ),
    CisCheck(
        "root-account-usage",
        "Root account usage",
        '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }',
    ),
    CisCheck(
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
        "cloudtrail-configuration-changes",
        "CloudTrail configuration changes",
        _any_event("CreateTrail", "UpdateTrail", "DeleteTrail", "StartLogging", "StopLogging"),
    ),
    CisCheck(
        "console-authentication-failures",
        "Console authentication failures",
        '{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }',
    ),
    CisCheck(
        "kms-key-disabled-or-scheduled-for-deletion",
        "KMS key disabled or scheduled for deletion",
        _any_event("DisableKey", "ScheduleKeyDeletion", source="kms.amazonaws.com"),
    ),
    CisCheck(
        "s3-bucket-policy-changes",
        "S3 bucket policy changes",
        _any_event(
            "PutBucketAcl", "PutBucketPolicy", "PutBucketCors", "PutBucketLifecycle", "PutBucketReplication",
            "DeleteBucketPolicy", "DeleteBucketCors", "DeleteBucketLifecycle", "DeleteBucketReplication",
            source="s3.amazonaws.com",
        ),
    ),
    CisCheck(
        "security-group-changes",
        "Security group changes",
        _any_event(
            "AuthorizeSecurityGroupIngress", "AuthorizeSecurityGroupEgress", "RevokeSecurityGroupIngress",
            "RevokeSecurityGroupEgress", "CreateSecurityGroup", "DeleteSecurityGroup",
        ),
    ),
    CisCheck(
        "network-acl-changes",
        "Network ACL changes",
        _any_event(
            "CreateNetworkAcl", "CreateNetworkAclEntry", "DeleteNetworkAcl", "DeleteNetworkAclEntry",
            "ReplaceNetworkAclEntry", "ReplaceNetworkAclAssociation",
        ),
    ),
    CisCheck(
        "network-gateway-changes",
        "Network gateway changes",
        _any_event(
            "CreateCustomerGateway", "DeleteCustomerGateway", "AttachInternetGateway", "CreateInternetGateway",
            "DeleteInternetGateway", "DetachInternetGateway",
        ),
    ),
    CisCheck(
        "route-table-changes",
        "Route table changes",
        _any_event(
            "CreateRoute", "CreateRouteTable", "ReplaceRoute", "ReplaceRouteTableAssociation", "DeleteRouteTable",
            "DeleteRoute", "DisassociateRouteTable", source="ec2.amazonaws.com",
        ),
    ),
    CisCheck(
        "vpc-changes",
        "VPC changes",
        _any_event(
            "CreateVpc", "DeleteVpc", "ModifyVpcAttribute", "AcceptVpcPeeringConnection", "CreateVpcPeeringConnection",
            "DeleteVpcPeeringConnection", "RejectVpcPeeringConnection", "AttachClassicLinkVpc", "DetachClassicLinkVpc",
            "DisableVpcClassicLink", "EnableVpcClassicLink",
        ),
    ),
)

CIS_CHECK_IDS: tuple[str, ...] = tuple(check.id for check in CIS_CHECKS)
