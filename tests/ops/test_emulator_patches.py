"""The bucket-policy patch: conditions are evaluated as on AWS, in moto's own S3 backend."""

from __future__ import annotations

import json

import pytest

from ops.emulator_patches.s3 import _condition_holds, bucket_policy_conditions_are_evaluated

TLS_ONLY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "DenyRequestsWithoutTls",
            "Effect": "Deny",
            "Principal": {"AWS": "*"},
            "Action": "s3:*",
            "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        }
    ],
}


@pytest.mark.parametrize(
    "operator, expected, holds",
    [
        ("Bool", "false", False),
        ("Bool", "true", True),
        ("StringEquals", ["x", "true"], True),
        ("StringLike", "tr*", True),
        ("StringNotEquals", "true", False),
        ("NumericLessThan", "3", False),
    ],
)
def test_conditions_use_the_request_context(operator, expected, holds):
    assert _condition_holds(operator, "aws:SecureTransport", expected, {"aws:SecureTransport": "true"}) is holds


def test_a_missing_key_fails_the_condition_unless_if_exists():
    assert _condition_holds("StringEquals", "aws:SourceArn", "x", {}) is False
    assert _condition_holds("StringEqualsIfExists", "aws:SourceArn", "x", {}) is True


def test_a_tls_deny_no_longer_denies_every_request():
    from moto.iam.access_control import PermissionResult
    from moto.s3.models import FakeBucket

    original = FakeBucket.get_permission
    bucket = FakeBucket("b", account_id="123456789012", region_name="us-east-1")
    bucket.policy = json.dumps(TLS_ONLY).encode()
    assert original(bucket, "s3:GetObject", "arn:aws:s3:::b/k") == PermissionResult.DENIED, "the quirk is gone?"
    try:
        bucket_policy_conditions_are_evaluated()
        assert bucket.get_permission("s3:GetObject", "arn:aws:s3:::b/k") == PermissionResult.NEUTRAL
        unconditional = {**TLS_ONLY, "Statement": [{k: v for k, v in TLS_ONLY["Statement"][0].items() if k != "Condition"}]}
        bucket.policy = json.dumps(unconditional).encode()
        assert bucket.get_permission("s3:GetObject", "arn:aws:s3:::b/k") == PermissionResult.DENIED
    finally:
        FakeBucket.get_permission = original


def test_a_trail_can_be_deleted_by_its_arn():
    import boto3
    from moto import mock_aws
    from moto.cloudtrail.models import CloudTrailBackend

    from ops.emulator_patches.cloudtrail import trail_deletion_accepts_an_arn

    original = CloudTrailBackend.delete_trail
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="trail-bucket")
        cloudtrail = boto3.client("cloudtrail", region_name="us-east-1")
        arn = cloudtrail.create_trail(Name="trail-one", S3BucketName="trail-bucket")["TrailARN"]
        cloudtrail.delete_trail(Name=arn)
        assert len(cloudtrail.describe_trails()["trailList"]) == 1, "the quirk is gone?"
        try:
            trail_deletion_accepts_an_arn()
            cloudtrail.delete_trail(Name=arn)
            assert cloudtrail.describe_trails()["trailList"] == []
        finally:
            CloudTrailBackend.delete_trail = original


def test_instance_monitoring_can_be_switched():
    import boto3
    from moto import mock_aws
    from moto.ec2.responses.monitoring import Monitoring

    from ops.emulator_patches.ec2 import instance_monitoring_can_be_switched

    originals = (Monitoring.monitor_instances, Monitoring.unmonitor_instances)
    with mock_aws():
        ec2 = boto3.client("ec2", region_name="us-east-1")
        image = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
        (instance,) = ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1)["Instances"]
        with pytest.raises(NotImplementedError):
            ec2.monitor_instances(InstanceIds=[instance["InstanceId"]])
        try:
            instance_monitoring_can_be_switched()
            answer = ec2.monitor_instances(InstanceIds=[instance["InstanceId"]])
            assert answer["InstanceMonitorings"] == [{"InstanceId": instance["InstanceId"], "Monitoring": {"State": "enabled"}}]
            described = ec2.describe_instances(InstanceIds=[instance["InstanceId"]])["Reservations"][0]["Instances"][0]
            assert described["Monitoring"] == {"State": "enabled"}
            ec2.unmonitor_instances(InstanceIds=[instance["InstanceId"]])
            described = ec2.describe_instances(InstanceIds=[instance["InstanceId"]])["Reservations"][0]["Instances"][0]
            assert described["Monitoring"] == {"State": "disabled"}
        finally:
            Monitoring.monitor_instances, Monitoring.unmonitor_instances = originals


def test_an_interface_without_a_public_ip_has_no_association():
    import boto3
    from moto import mock_aws
    from moto.ec2.models.elastic_network_interfaces import NetworkInterface

    from ops.emulator_patches.ec2 import interfaces_without_a_public_ip_have_no_association

    original = NetworkInterface.association

    def launch(ec2):
        vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
        image = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
        spec = [{"DeviceIndex": 0, "SubnetId": subnet, "AssociatePublicIpAddress": False}]
        (instance,) = ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1, NetworkInterfaces=spec)["Instances"]
        return ec2.describe_instances(InstanceIds=[instance["InstanceId"]])["Reservations"][0]["Instances"][0]

    with mock_aws():
        ec2 = boto3.client("ec2", region_name="us-east-1")
        assert launch(ec2)["NetworkInterfaces"][0]["Association"] == {}, "the quirk is gone?"
        try:
            interfaces_without_a_public_ip_have_no_association()
            assert "Association" not in launch(ec2)["NetworkInterfaces"][0]
        finally:
            NetworkInterface.association = original


def test_launch_template_data_keeps_only_its_own_tag_specifications():
    import boto3
    from moto import mock_aws
    from moto.ec2.models.launch_templates import LaunchTemplateBackend

    from ops.emulator_patches.ec2 import launch_template_data_keeps_only_its_own_tag_specifications

    original = LaunchTemplateBackend.create_launch_template

    def create(ec2, name):
        ec2.create_launch_template(
            LaunchTemplateName=name,
            LaunchTemplateData={"TagSpecifications": [{"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": "app"}]}]},
            TagSpecifications=[{"ResourceType": "launch-template", "Tags": [{"Key": "Environment", "Value": "dev"}]}],
        )
        (version,) = ec2.describe_launch_template_versions(LaunchTemplateName=name)["LaunchTemplateVersions"]
        return [s["ResourceType"] for s in version["LaunchTemplateData"]["TagSpecifications"]]

    with mock_aws():
        ec2 = boto3.client("ec2", region_name="us-east-1")
        assert create(ec2, "before") == ["instance", "launch-template"], "the quirk is gone?"
        try:
            launch_template_data_keeps_only_its_own_tag_specifications()
            assert create(ec2, "after") == ["instance"]
            (template,) = ec2.describe_launch_templates(LaunchTemplateNames=["after"])["LaunchTemplates"]
            assert template["Tags"] == [{"Key": "Environment", "Value": "dev"}]
        finally:
            LaunchTemplateBackend.create_launch_template = original


def test_rest_api_policy_is_returned_escaped():
    import boto3
    from moto import mock_aws
    from moto.apigateway.models import RestAPI

    from ops.emulator_patches.serverless import rest_api_policy_is_returned_escaped

    original = RestAPI.to_dict
    policy = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "*"}]})
    with mock_aws():
        client = boto3.client("apigateway", region_name="us-east-1")
        api = client.create_rest_api(name="with-policy", policy=policy)["id"]
        assert client.get_rest_api(restApiId=api)["policy"] == policy, "the quirk is gone?"
        try:
            rest_api_policy_is_returned_escaped()
            returned = client.get_rest_api(restApiId=api)["policy"]
            assert returned == policy.replace('"', '\\"')
            assert json.loads(json.loads(f'"{returned}"')) == json.loads(policy), "the provider's unescape gives the policy back"
        finally:
            RestAPI.to_dict = original


def test_lambda_keeps_its_dead_letter_config():
    import io
    import zipfile

    import boto3
    from moto import mock_aws
    from moto.awslambda.models import LambdaFunction

    from ops.emulator_patches.serverless import lambda_keeps_its_dead_letter_config

    originals = (LambdaFunction.__init__, LambdaFunction.get_configuration, LambdaFunction.update_configuration)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("handler.py", "def handler(event, context):\n    return event\n")

    def create(name):
        iam = boto3.client("iam", region_name="us-east-1")
        role = iam.create_role(RoleName=f"{name}-role", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
        queue = boto3.client("sqs", region_name="us-east-1").create_queue(QueueName=f"{name}-dlq")["QueueUrl"]
        target = f"arn:aws:sqs:us-east-1:123456789012:{name}-dlq"
        client = boto3.client("lambda", region_name="us-east-1")
        client.create_function(
            FunctionName=name, Runtime="python3.12", Role=role, Handler="handler.handler",
            Code={"ZipFile": buffer.getvalue()}, DeadLetterConfig={"TargetArn": target},
        )
        assert queue
        return client.get_function_configuration(FunctionName=name).get("DeadLetterConfig"), target

    with mock_aws():
        found, _ = create("before")
        assert found is None, "the quirk is gone?"
        try:
            lambda_keeps_its_dead_letter_config()
            found, target = create("after")
            assert found == {"TargetArn": target}
        finally:
            LambdaFunction.__init__, LambdaFunction.get_configuration, LambdaFunction.update_configuration = originals


def test_rds_keeps_performance_insights_settings():
    import boto3
    from moto import mock_aws
    from moto.rds.models import DBInstance, RDSBackend

    from ops.emulator_patches.rds import rds_keeps_performance_insights_settings

    originals = (DBInstance.__init__, RDSBackend.modify_db_instance)

    def create(rds, name):
        rds.create_db_instance(
            DBInstanceIdentifier=name, Engine="mysql", DBInstanceClass="db.t4g.medium", AllocatedStorage=20,
            MasterUsername="admin", ManageMasterUserPassword=True,
            EnablePerformanceInsights=True, PerformanceInsightsKMSKeyId="key-1", PerformanceInsightsRetentionPeriod=7,
        )
        return rds.describe_db_instances(DBInstanceIdentifier=name)["DBInstances"][0]

    with mock_aws():
        rds = boto3.client("rds", region_name="us-east-1")
        assert "PerformanceInsightsEnabled" not in create(rds, "before"), "the quirk is gone?"
        try:
            rds_keeps_performance_insights_settings()
            found = create(rds, "after")
            assert (found["PerformanceInsightsEnabled"], found["PerformanceInsightsKMSKeyId"], found["PerformanceInsightsRetentionPeriod"]) == (True, "key-1", 7)
            rds.modify_db_instance(DBInstanceIdentifier="after", PerformanceInsightsRetentionPeriod=31)
            assert rds.describe_db_instances(DBInstanceIdentifier="after")["DBInstances"][0]["PerformanceInsightsRetentionPeriod"] == 31
        finally:
            DBInstance.__init__, RDSBackend.modify_db_instance = originals


def test_rds_marks_set_parameters_as_user_parameters():
    import boto3
    from moto import mock_aws
    from moto.rds.models import DBParameterGroup

    from ops.emulator_patches.rds import rds_marks_set_parameters_as_user_parameters

    original = DBParameterGroup.update_parameters

    def source(rds, name):
        rds.create_db_parameter_group(DBParameterGroupName=name, DBParameterGroupFamily="mysql8.0", Description="d")
        rds.modify_db_parameter_group(
            DBParameterGroupName=name,
            Parameters=[{"ParameterName": "require_secure_transport", "ParameterValue": "1", "ApplyMethod": "immediate"}],
        )
        (parameter,) = rds.describe_db_parameters(DBParameterGroupName=name)["Parameters"]
        return parameter.get("Source")

    with mock_aws():
        rds = boto3.client("rds", region_name="us-east-1")
        assert source(rds, "before") is None, "the quirk is gone?"
        try:
            rds_marks_set_parameters_as_user_parameters()
            assert source(rds, "after") == "user"
        finally:
            DBParameterGroup.update_parameters = original


def test_group_referencing_rules_keep_their_description():
    import boto3
    from moto import mock_aws
    from moto.ec2.models.security_groups import SecurityGroupRule

    from ops.emulator_patches.ec2 import group_referencing_rules_keep_their_description

    original = SecurityGroupRule.description

    def description(ec2, suffix):
        vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        app = ec2.create_security_group(GroupName=f"app-{suffix}", Description="app", VpcId=vpc)["GroupId"]
        db = ec2.create_security_group(GroupName=f"db-{suffix}", Description="db", VpcId=vpc)["GroupId"]
        ec2.authorize_security_group_ingress(
            GroupId=db,
            IpPermissions=[{"IpProtocol": "tcp", "FromPort": 3306, "ToPort": 3306, "UserIdGroupPairs": [{"GroupId": app, "Description": "MySQL from app"}]}],
        )
        rules = ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [db]}])["SecurityGroupRules"]
        return [r.get("Description") for r in rules if not r["IsEgress"]]

    with mock_aws():
        ec2 = boto3.client("ec2", region_name="us-east-1")
        assert description(ec2, "before") == [None], "the quirk is gone?"
        try:
            group_referencing_rules_keep_their_description()
            assert description(ec2, "after") == ["MySQL from app"]
        finally:
            SecurityGroupRule.description = original


def test_trails_are_described_by_name_or_arn():
    import boto3
    from moto import mock_aws
    from moto.cloudtrail.responses import CloudTrailResponse

    from ops.emulator_patches.cloudtrail import trails_are_described_by_name_or_arn

    original = CloudTrailResponse.describe_trails
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        trails = boto3.client("cloudtrail", region_name="us-east-1")
        for name in ("trail-dev", "trail-qa"):
            s3.create_bucket(Bucket=f"bucket-{name}")
            trails.create_trail(Name=name, S3BucketName=f"bucket-{name}")
        arn = trails.describe_trails(trailNameList=["trail-qa"])["trailList"]
        assert len(arn) == 2, "the quirk is gone?"
        try:
            trails_are_described_by_name_or_arn()
            by_name = trails.describe_trails(trailNameList=["trail-qa"])["trailList"]
            assert [t["Name"] for t in by_name] == ["trail-qa"]
            by_arn = trails.describe_trails(trailNameList=[by_name[0]["TrailARN"]])["trailList"]
            assert [t["Name"] for t in by_arn] == ["trail-qa"]
            assert len(trails.describe_trails()["trailList"]) == 2, "no filter: every trail"
        finally:
            CloudTrailResponse.describe_trails = original


def test_rds_instances_get_their_own_resource_ids():
    import boto3
    from moto import mock_aws
    from moto.rds.models import DBInstance

    from ops.emulator_patches.rds import rds_instances_get_their_own_resource_ids

    original = DBInstance.__init__

    def resource_ids(rds, *names):
        for name in names:
            rds.create_db_instance(
                DBInstanceIdentifier=name, Engine="mysql", DBInstanceClass="db.t4g.medium", AllocatedStorage=20,
                MasterUsername="admin", MasterUserPassword="password-123",
            )
        return {d["DBInstanceIdentifier"]: d["DbiResourceId"] for d in rds.describe_db_instances()["DBInstances"] if d["DBInstanceIdentifier"] in names}

    with mock_aws():
        rds = boto3.client("rds", region_name="us-east-1")
        assert len(set(resource_ids(rds, "one", "two").values())) == 1, "the quirk is gone?"
        try:
            rds_instances_get_their_own_resource_ids()
            found = resource_ids(rds, "three", "four")
            assert len(set(found.values())) == 2 and all(v.startswith("db-") for v in found.values())
            only = rds.describe_db_instances(Filters=[{"Name": "dbi-resource-id", "Values": [found["four"]]}])["DBInstances"]
            assert [d["DBInstanceIdentifier"] for d in only] == ["four"]
        finally:
            DBInstance.__init__ = original


def test_a_new_db_instance_gets_the_ca_aws_gives_it():
    import boto3
    from moto import mock_aws
    from moto.rds.models import DBInstance

    from constructs_lib.database import CA_CERTIFICATE
    from ops.emulator_patches.rds import RDS_DEFAULT_CA, rds_instances_get_the_current_default_ca

    original = DBInstance.__init__
    assert RDS_DEFAULT_CA == CA_CERTIFICATE, "the platform asks for AWS's default CA"

    def ca_of(rds, name: str, **extra) -> str:
        rds.create_db_instance(
            DBInstanceIdentifier=name, Engine="mysql", DBInstanceClass="db.t4g.medium", AllocatedStorage=20,
            MasterUsername="admin", MasterUserPassword="password-123", **extra,
        )
        return rds.describe_db_instances(DBInstanceIdentifier=name)["DBInstances"][0]["CACertificateIdentifier"]

    with mock_aws():
        rds = boto3.client("rds", region_name="us-east-1")
        assert ca_of(rds, "before") == "rds-ca-default", "the quirk is gone?"
        try:
            rds_instances_get_the_current_default_ca()
            assert ca_of(rds, "after") == RDS_DEFAULT_CA
            assert ca_of(rds, "chosen", CACertificateIdentifier="rds-ca-ecc384-g1") == "rds-ca-ecc384-g1"
        finally:
            DBInstance.__init__ = original


def test_rds_event_subscriptions_can_be_changed():
    import boto3
    from botocore.exceptions import ClientError
    from moto import mock_aws
    from moto.rds.responses import RDSResponse

    from ops.emulator_patches.rds import rds_event_subscriptions_can_be_changed

    added = ("modify_event_subscription", "add_source_identifier_to_subscription", "remove_source_identifier_from_subscription")
    topic = "arn:aws:sns:us-east-1:123456789012:acme-alarms-dev"
    with mock_aws():
        rds = boto3.client("rds", region_name="us-east-1")
        rds.create_event_subscription(
            SubscriptionName="acme-database-parameter-events-dev", SnsTopicArn=topic, SourceType="db-parameter-group",
            SourceIds=["acme-database-dev-old"], EventCategories=["configuration change"], Enabled=True,
        )
        with pytest.raises(Exception, match="not been implemented"):
            rds.add_source_identifier_to_subscription(SubscriptionName="acme-database-parameter-events-dev", SourceIdentifier="acme-database-dev-new")
        try:
            rds_event_subscriptions_can_be_changed()
            rds.add_source_identifier_to_subscription(SubscriptionName="acme-database-parameter-events-dev", SourceIdentifier="acme-database-dev-new")
            rds.remove_source_identifier_from_subscription(SubscriptionName="acme-database-parameter-events-dev", SourceIdentifier="acme-database-dev-old")
            changed = rds.modify_event_subscription(SubscriptionName="acme-database-parameter-events-dev", EventCategories=["configuration change", "failure"], Enabled=False)
            assert changed["EventSubscription"]["SourceIdsList"] == ["acme-database-dev-new"]
            (found,) = rds.describe_event_subscriptions(SubscriptionName="acme-database-parameter-events-dev")["EventSubscriptionsList"]
            assert (found["SourceIdsList"], found["EventCategoriesList"], found["Enabled"], found["SnsTopicArn"]) == (
                ["acme-database-dev-new"], ["configuration change", "failure"], False, topic,
            )
            with pytest.raises(ClientError, match="SubscriptionNotFound"):
                rds.modify_event_subscription(SubscriptionName="nobody", Enabled=True)
        finally:
            for name in added:
                delattr(RDSResponse, name)


def test_trail_selectors_are_replaced_and_described():
    import boto3
    from moto import mock_aws
    from moto.cloudtrail.models import Trail

    from ops.emulator_patches.cloudtrail import trail_selectors_are_replaced_and_described

    both = [{"InsightType": "ApiCallRateInsight"}, {"InsightType": "ApiErrorRateInsight"}]
    original = (Trail.put_insight_selectors, Trail.description)
    with mock_aws():
        boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="trail-bucket")
        trails = boto3.client("cloudtrail", region_name="us-east-1")
        trails.create_trail(Name="trail", S3BucketName="trail-bucket")
        trails.put_insight_selectors(TrailName="trail", InsightSelectors=both)
        trails.put_insight_selectors(TrailName="trail", InsightSelectors=both)
        assert len(trails.get_insight_selectors(TrailName="trail")["InsightSelectors"]) == 4, "the quirk is gone?"
        assert trails.get_trail(Name="trail")["Trail"]["HasInsightSelectors"] is False, "the quirk is gone?"
        try:
            trail_selectors_are_replaced_and_described()
            trails.put_insight_selectors(TrailName="trail", InsightSelectors=both)
            assert trails.get_insight_selectors(TrailName="trail")["InsightSelectors"] == both
            described = trails.describe_trails(trailNameList=["trail"])["trailList"][0]
            assert described["HasInsightSelectors"] is True
            assert described["HasCustomEventSelectors"] is False
            trails.put_event_selectors(
                TrailName="trail",
                EventSelectors=[{"ReadWriteType": "All", "DataResources": [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3:::b/"]}]}],
            )
            assert trails.get_trail(Name="trail")["Trail"]["HasCustomEventSelectors"] is True
            trails.put_insight_selectors(TrailName="trail", InsightSelectors=[])
            assert "InsightSelectors" not in trails.get_insight_selectors(TrailName="trail"), "turned off, as on AWS"
            assert trails.get_trail(Name="trail")["Trail"]["HasInsightSelectors"] is False
        finally:
            Trail.put_insight_selectors, Trail.description = original


def test_a_bucket_with_a_delete_marker_can_be_emptied_once_versioning_is_suspended():
    """What Terraform's destroy of a versioned bucket with force_destroy does: suspend versioning (the versioning
    resource goes first), then delete every version and delete marker, then the bucket."""
    import boto3
    from moto import mock_aws
    from moto.s3.models import FakeDeleteMarker

    from ops.emulator_patches.s3 import delete_markers_can_be_disposed

    def empty_and_delete(s3, bucket: str) -> None:
        s3.create_bucket(Bucket=bucket)
        s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
        s3.put_object(Bucket=bucket, Key="probe", Body=b"probe")
        s3.delete_object(Bucket=bucket, Key="probe")  # a delete marker
        s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Suspended"})
        listed = s3.list_object_versions(Bucket=bucket)
        objects = [{"Key": v["Key"], "VersionId": v["VersionId"]} for v in listed.get("Versions", []) + listed.get("DeleteMarkers", [])]
        s3.delete_objects(Bucket=bucket, Delete={"Objects": objects})
        s3.delete_bucket(Bucket=bucket)

    assert not hasattr(FakeDeleteMarker, "dispose"), "moto's delete marker can be disposed of now: drop the patch"
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        with pytest.raises(AttributeError, match="'FakeDeleteMarker' object has no attribute 'dispose'"):
            empty_and_delete(s3, "quirk-bucket")
        try:
            delete_markers_can_be_disposed()
            empty_and_delete(s3, "patched-bucket")
            assert "patched-bucket" not in [b["Name"] for b in s3.list_buckets()["Buckets"]]
        finally:
            del FakeDeleteMarker.dispose


def test_smoke_sessions_are_authorized_against_their_role_and_the_table_arn():
    """Without the patch a smoke session may write any table; with it, only what its role's policy allows, resolved
    against the table's ARN; any other caller is still served unauthorized, as moto serves it."""
    import boto3
    from botocore.exceptions import ClientError
    from moto import mock_aws
    from moto.core.authorization import ActionAuthenticatorMixin

    from ops.emulator_patches.authorization import SMOKE_SESSION_PREFIX, smoke_sessions_are_authorized

    def table_writer(session_name: str):
        keys = sts.assume_role(RoleArn=role, RoleSessionName=session_name)["Credentials"]
        return boto3.client(
            "dynamodb", region_name="us-east-1", aws_access_key_id=keys["AccessKeyId"],
            aws_secret_access_key=keys["SecretAccessKey"], aws_session_token=keys["SessionToken"],
        )

    def put(client, table: str) -> str:
        try:
            client.put_item(TableName=table, Item={"id": {"S": "probe"}})
        except ClientError as error:
            return error.response["Error"]["Code"]
        return "stored"

    original = ActionAuthenticatorMixin._authenticate_and_authorize_action
    with mock_aws():
        dynamodb = boto3.client("dynamodb", region_name="us-east-1")
        for table in ("mine", "theirs"):
            dynamodb.create_table(
                TableName=table, BillingMode="PAY_PER_REQUEST",
                KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}], AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            )
        iam, sts = boto3.client("iam", region_name="us-east-1"), boto3.client("sts", region_name="us-east-1")
        trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]}
        role = iam.create_role(RoleName="writer", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
        allow_mine = {"Effect": "Allow", "Action": "dynamodb:PutItem", "Resource": "arn:aws:dynamodb:us-east-1:123456789012:table/mine"}
        iam.put_role_policy(RoleName="writer", PolicyName="mine", PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [allow_mine]}))
        smoke = table_writer(f"{SMOKE_SESSION_PREFIX}-test")
        assert put(smoke, "theirs") == "stored", "moto authorizes no one: the quirk the patch is for"
        try:
            smoke_sessions_are_authorized()
            assert (put(smoke, "mine"), put(smoke, "theirs")) == ("stored", "AccessDeniedException")
            assert put(table_writer("terraform"), "theirs") == "stored", "every other caller is served as before"
        finally:
            ActionAuthenticatorMixin._authenticate_and_authorize_action = original


def test_a_bucket_keeps_its_request_metrics_configurations_and_deleting_one_leaves_the_bucket():
    """What the aws_s3_bucket_metric resource does: put a whole-bucket configuration, read it back, delete it."""
    import boto3
    from botocore.exceptions import ClientError
    from moto import mock_aws
    from moto.s3.responses import S3Response

    from ops.emulator_patches.s3 import bucket_metrics_configurations_are_kept

    original = S3Response._bucket_response
    whole_bucket = {"Id": "EntireBucket"}
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        for bucket in ("quirk-bucket", "patched-bucket"):
            s3.create_bucket(Bucket=bucket)
            s3.put_object(Bucket=bucket, Key="probe", Body=b"probe")
        s3.put_bucket_metrics_configuration(Bucket="quirk-bucket", Id="EntireBucket", MetricsConfiguration=whole_bucket)
        assert s3.get_bucket_metrics_configuration(Bucket="quirk-bucket", Id="EntireBucket")["MetricsConfiguration"] == {}, "the quirk is gone?"
        with pytest.raises(ClientError, match="BucketNotEmpty"):
            s3.delete_bucket_metrics_configuration(Bucket="quirk-bucket", Id="EntireBucket")
        try:
            bucket_metrics_configurations_are_kept()
            with pytest.raises(ClientError, match="NoSuchConfiguration"):
                s3.get_bucket_metrics_configuration(Bucket="patched-bucket", Id="EntireBucket")
            s3.put_bucket_metrics_configuration(Bucket="patched-bucket", Id="EntireBucket", MetricsConfiguration=whole_bucket)
            prefixed = {"Id": "Logs", "Filter": {"Prefix": "logs/"}}
            s3.put_bucket_metrics_configuration(Bucket="patched-bucket", Id="Logs", MetricsConfiguration=prefixed)
            assert s3.get_bucket_metrics_configuration(Bucket="patched-bucket", Id="EntireBucket")["MetricsConfiguration"] == whole_bucket
            assert s3.get_bucket_metrics_configuration(Bucket="patched-bucket", Id="Logs")["MetricsConfiguration"] == prefixed
            listed = s3.list_bucket_metrics_configurations(Bucket="patched-bucket")["MetricsConfigurationList"]
            assert listed == [whole_bucket, prefixed]
            s3.delete_bucket_metrics_configuration(Bucket="patched-bucket", Id="EntireBucket")
            with pytest.raises(ClientError, match="NoSuchConfiguration"):
                s3.get_bucket_metrics_configuration(Bucket="patched-bucket", Id="EntireBucket")
            with pytest.raises(ClientError, match="NoSuchConfiguration"):
                s3.delete_bucket_metrics_configuration(Bucket="patched-bucket", Id="EntireBucket")
            assert "patched-bucket" in [b["Name"] for b in s3.list_buckets()["Buckets"]], "the bucket stays"
            assert s3.get_object(Bucket="patched-bucket", Key="probe")["Body"].read() == b"probe"
            with pytest.raises(ClientError, match="NoSuchBucket"):
                s3.get_bucket_metrics_configuration(Bucket="no-such-bucket", Id="EntireBucket")
        finally:
            S3Response._bucket_response = original
