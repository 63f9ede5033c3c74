"""What an environment publishes for other stacks: one naming scheme, shared by the stack, verification and the README.

Every published value is an SSM parameter named ``/<project>/<env>/<path>``
(:meth:`~platform_core.naming.ResourceNames.parameter`) and a stack output of the
same value. The paths:

===================================  ==========  ==============================================================
Path                                 Type        Value
===================================  ==========  ==============================================================
``network/vpc-id``                   String      the VPC's id
``network/subnet-ids/<tier>``        StringList  the tier's subnet ids (public, private, database), in AZ order
``network/security-groups/<group>``  String      a security group's id: app, database, data-api (the function),
                                                 endpoints (only with interface endpoints)
``network/endpoints/<service>``      String      a VPC endpoint's id: s3, dynamodb, and each interface endpoint
                                                 as ``network.interface_endpoints`` names it (``ecr.api``)
``data/table-name``                  String      the DynamoDB table's name
``storage/buckets/<purpose>``        String      a bucket's name: data, access-logs, audit
``api/invoke-url``                   String      the API's ``/data`` URL
``monitoring/alarm-topic-arn``       String      the SNS topic every alarm publishes to
===================================  ==========  ==============================================================
"""

from __future__ import annotations

STRING = "String"
STRING_LIST = "StringList"
"""A comma-separated list: ``split(",", ...)`` in HCL, ``value.split(",")`` in Python."""

VPC_ID = "network/vpc-id"
TABLE_NAME = "data/table-name"
API_INVOKE_URL = "api/invoke-url"
ALARM_TOPIC_ARN = "monitoring/alarm-topic-arn"


def subnet_ids(tier: str) -> str:
    return f"network/subnet-ids/{tier}"


def security_group(group: str) -> str:
    return f"network/security-groups/{group}"


def endpoint(service: str) -> str:
    return f"network/endpoints/{service}"


def bucket(purpose: str) -> str:
    return f"storage/buckets/{purpose}"


PARAMETER_WRITE_ACTIONS: tuple[str, ...] = (
    "ssm:PutParameter",
    "ssm:DeleteParameter",
    "ssm:DeleteParameters",
    "ssm:LabelParameterVersion",
    "ssm:UnlabelParameterVersion",
)
"""What changes a parameter's value, or which version a label resolves to: an environment's apply role may do it under
the environment's path only, and no role of the platform may do it under the project's."""


def parameter_arn(partition: str, region: str, account_id: str, name_pattern: str) -> str:
    """``arn:<partition>:ssm:<region>:<account>:parameter/acme/dev/*`` for the name pattern ``/acme/dev/*``."""
    return f"arn:{partition}:ssm:{region}:{account_id}:parameter{name_pattern}"
