"""Where moto answers differently from AWS in a way the AWS provider cannot live with.

Each patch is one function, named after the quirk, applied inside the emulator
process only (``ops/moto_server.py``). None of them changes what the platform
deploys; they make the emulator behave the way AWS does. README.md lists them
under "Emulator differences".
"""

from __future__ import annotations

import collections
import fnmatch
import functools
import json
import sys
import threading
import urllib.parse
from collections.abc import Callable, Iterable, Mapping
from typing import Any

EMULATOR_REQUEST_CONTEXT: Mapping[str, str] = {"aws:SecureTransport": "true"}
"""The request context bucket policies are evaluated in. The emulator listens on
plain HTTP on loopback, standing in for AWS's HTTPS endpoints, so a request is
treated as having arrived over TLS."""


def _condition_holds(operator: str, key: str, expected: Any, context: Mapping[str, str]) -> bool:
    """One condition, with AWS's semantics: a missing key fails it unless the operator ends in IfExists."""
    base = operator.removesuffix("IfExists")
    if key not in context:
        return operator.endswith("IfExists")
    actual = context[key]
    values = [str(v) for v in (expected if isinstance(expected, list) else [expected])]
    if base == "Bool":
        return any(v.lower() == actual.lower() for v in values)
    if base in ("StringEquals", "ArnEquals"):
        return actual in values
    if base in ("StringNotEquals", "ArnNotEquals"):
        return actual not in values
    if base in ("StringLike", "ArnLike"):
        return any(fnmatch.fnmatchcase(actual, v) for v in values)
    if base in ("StringNotLike", "ArnNotLike"):
        return not any(fnmatch.fnmatchcase(actual, v) for v in values)
    return False


def _statement_applies(statement: Mapping[str, Any], context: Mapping[str, str]) -> bool:
    conditions = statement.get("Condition") or {}
    return all(
        _condition_holds(operator, key, expected, context)
        for operator, pairs in conditions.items()
        for key, expected in pairs.items()
    )


def bucket_policy_conditions_are_evaluated() -> None:
    """moto evaluates bucket-policy conditions without any request context and treats an
    operator it does not know (``Bool``) as matching, so a conditional Deny such as
    "deny unless aws:SecureTransport" denies every request, including Terraform's state
    reads. Here a statement whose conditions do not hold is skipped, as on AWS."""
    from moto.iam.access_control import IAMPolicyStatement, PermissionResult
    from moto.s3.models import FakeBucket

    def get_permission(self: FakeBucket, action: str, resource: str) -> Any:
        if self.policy is None:
            return PermissionResult.NEUTRAL
        document = json.loads(self.policy)
        statements = document["Statement"] if isinstance(document["Statement"], list) else [document["Statement"]]
        permitted = False
        for statement in statements:
            if not _statement_applies(statement, EMULATOR_REQUEST_CONTEXT):
                continue
            unconditional = {k: v for k, v in statement.items() if k != "Condition"}
            result = IAMPolicyStatement(unconditional).is_action_permitted(action, resource)
            if result == PermissionResult.DENIED:
                return result
            permitted = permitted or result == PermissionResult.PERMITTED
        return PermissionResult.PERMITTED if permitted else PermissionResult.NEUTRAL

    FakeBucket.get_permission = get_permission  # type: ignore[method-assign]


def trail_deletion_accepts_an_arn() -> None:
    """moto's DeleteTrail looks the trail up by name only and silently does nothing for an
    ARN, which is what the AWS provider sends; the trail would outlive ``terraform destroy``.
    AWS accepts either, and so does this."""
    from moto.cloudtrail.models import CloudTrailBackend

    original = CloudTrailBackend.delete_trail

    def delete_trail(self: CloudTrailBackend, name: str) -> None:
        for trail_name, trail in list(self.trails.items()):
            if trail.arn == name:
                name = trail_name
        original(self, name)

    CloudTrailBackend.delete_trail = delete_trail  # type: ignore[method-assign]


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


def rest_api_policy_is_returned_escaped() -> None:
    """AWS returns a REST API's resource policy as escaped JSON inside the response (the
    provider unescapes it); moto returns it raw, so every read fails with "invalid character
    'S' after top-level value" and the API can be neither planned nor destroyed. Here the
    policy is stored as given and returned escaped, as AWS does."""
    from moto.apigateway.models import RestAPI

    original = RestAPI.to_dict

    def to_dict(self: RestAPI) -> dict[str, Any]:
        answer = original(self)
        if answer.get(RestAPI.PROP_POLICY):
            answer[RestAPI.PROP_POLICY] = json.dumps(answer[RestAPI.PROP_POLICY])[1:-1]
        return answer

    RestAPI.to_dict = to_dict  # type: ignore[method-assign]


def lambda_keeps_its_dead_letter_config() -> None:
    """moto drops a function's DeadLetterConfig, so the provider plans to add the queue
    again on every run. Here it is kept and returned, as AWS does."""
    from moto.awslambda.models import LambdaFunction

    original_init = LambdaFunction.__init__
    original_get = LambdaFunction.get_configuration
    original_update = LambdaFunction.update_configuration

    def __init__(self: LambdaFunction, account_id: str, spec: dict[str, Any], *args: Any, **kwargs: Any) -> None:
        original_init(self, account_id, spec, *args, **kwargs)
        self.dead_letter_config = spec.get("DeadLetterConfig") or {}

    def get_configuration(self: LambdaFunction, *args: Any, **kwargs: Any) -> dict[str, Any]:
        configuration = original_get(self, *args, **kwargs)
        if getattr(self, "dead_letter_config", None):
            configuration["DeadLetterConfig"] = self.dead_letter_config
        return configuration

    def update_configuration(self: LambdaFunction, config_updates: dict[str, Any]) -> dict[str, Any]:
        if "DeadLetterConfig" in config_updates:
            self.dead_letter_config = config_updates["DeadLetterConfig"] or {}
        return original_update(self, config_updates)

    LambdaFunction.__init__ = __init__  # type: ignore[method-assign]
    LambdaFunction.get_configuration = get_configuration  # type: ignore[method-assign]
    LambdaFunction.update_configuration = update_configuration  # type: ignore[method-assign]


PERFORMANCE_INSIGHTS_KEYS = {
    "enable_performance_insights": "performance_insights_enabled",
    "performance_insights_kms_key_id": "performance_insights_kms_key_id",
    "performance_insights_retention_period": "performance_insights_retention_period",
}


def rds_keeps_performance_insights_settings() -> None:
    """moto does not model Performance Insights: the settings are dropped, so every plan turns
    it on again and each apply waits out an instance modification. Here the settings are kept
    and returned, as AWS does (no insights are collected, as nothing runs in the emulator)."""
    from moto.rds.models import DBInstance, RDSBackend

    original_init = DBInstance.__init__
    original_modify = RDSBackend.modify_db_instance

    def keep(instance: DBInstance, settings: dict[str, Any]) -> None:
        for given, kept in PERFORMANCE_INSIGHTS_KEYS.items():
            if given in settings:
                setattr(instance, kept, bool(settings[given]) if kept.endswith("enabled") else settings[given])

    def __init__(self: DBInstance, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        keep(self, kwargs)

    def modify_db_instance(self: RDSBackend, db_instance_identifier: str, db_kwargs: dict[str, Any]) -> DBInstance:
        instance = original_modify(self, db_instance_identifier, db_kwargs)
        keep(instance, db_kwargs)
        return instance

    DBInstance.__init__ = __init__  # type: ignore[method-assign]
    RDSBackend.modify_db_instance = modify_db_instance  # type: ignore[method-assign]


def rds_marks_set_parameters_as_user_parameters() -> None:
    """moto returns a parameter group's parameters without their ``Source``; the provider
    keeps only ``Source = user`` parameters, so ``require_secure_transport`` vanishes from
    state and is re-added by every plan. AWS marks what a user set as ``user``; so does this."""
    from moto.rds.models import DBParameterGroup

    original = DBParameterGroup.update_parameters

    def update_parameters(self: DBParameterGroup, new_parameters: Any) -> None:
        new_parameters = list(new_parameters)
        original(self, new_parameters)
        for parameter in new_parameters:
            self.parameters[parameter["ParameterName"]]["Source"] = "user"

    DBParameterGroup.update_parameters = update_parameters  # type: ignore[method-assign]


def group_referencing_rules_keep_their_description() -> None:
    """moto reads a security-group rule's description from its CIDR range only, so a rule that
    references another group loses it and every plan sets it again. AWS keeps it; so does this."""
    from moto.ec2.models.security_groups import SecurityGroupRule

    def description(self: SecurityGroupRule) -> str | None:
        return self.ip_range.get("Description") or (self.source_group or {}).get("Description")

    SecurityGroupRule.description = property(description)  # type: ignore[method-assign,assignment]


def delete_markers_can_be_disposed() -> None:
    """Terraform destroys a bucket's ``aws_s3_bucket_versioning`` before the bucket, which suspends versioning; moto's
    ``DeleteObjects`` on a bucket that is not versioned then drops every version of a key and disposes of each, and a
    delete marker has no ``dispose``: HTTP 500, retried until Terraform gives up, so a bucket in which an object was
    ever deleted can never be destroyed. On AWS it goes. A delete marker holds no data: disposing of it is nothing."""
    from moto.s3.models import FakeDeleteMarker

    if not hasattr(FakeDeleteMarker, "dispose"):
        FakeDeleteMarker.dispose = lambda self, garbage=False: None  # type: ignore[attr-defined]


SMOKE_SESSION_PREFIX = "platform-smoke"
"""A session assumed with a name starting so is authorized by the emulator (see :func:`smoke_sessions_are_authorized`)."""


def _access_key(headers: Mapping[str, str]) -> str | None:
    """The access key id a SigV4 ``Authorization`` header names, if any."""
    authorization = headers.get("Authorization") or ""
    if "Credential=" not in authorization:
        return None
    return authorization.split("Credential=", 1)[1].split("/", 1)[0]


def _is_smoke_session(account_id: str, access_key: str | None) -> bool:
    from moto.sts.models import sts_backends

    if access_key is None:
        return False
    return any(
        role.access_key_id == access_key and role.session_name.startswith(SMOKE_SESSION_PREFIX)
        for backend in sts_backends[account_id].values()
        for role in backend.assumed_roles
    )


def smoke_sessions_are_authorized() -> None:
    """moto authorizes every caller or none (``INITIAL_NO_AUTH_ACTION_COUNT``), and the emulator runs with none: Terraform
    signs with placeholder credentials that IAM would refuse. So nothing on the emulator would show that a role may do
    what the platform needs of it; on AWS every call is authorized. Here a session assumed with a name starting
    ``platform-smoke`` is authorized as moto authorizes when enforcing (the signature, then the role's inline and attached
    policies; not its permissions boundary, and a statement with a condition never allows), so the smoke test runs the
    function as its own role. Every other caller is served as before. moto authorizes a DynamoDB request against ``*``,
    which no policy scoped to a table allows; for these sessions the table's ARN is the resource, as on AWS."""
    from moto.core.authorization import ActionAuthenticatorMixin
    from moto.core.exceptions import AccessDeniedError, JsonRESTError

    original = ActionAuthenticatorMixin._authenticate_and_authorize_action

    def authorize(self: Any, iam_request_cls: type, resource: str = "*") -> None:
        account_id = self.current_account
        if not _is_smoke_session(account_id, _access_key(self.headers)):
            return original(self, iam_request_cls, resource)
        if resource == "*" and type(self).__module__ == "moto.dynamodb.responses":
            body = self.body if isinstance(self.body, dict) else json.loads(self.body or "{}")
            table = body.get("TableName")
            if table:
                resource = f"arn:aws:dynamodb:{self.region}:{account_id}:table/{table}"
        query = urllib.parse.urlparse(self.uri).query
        path = self.raw_path + (f"?{query}" if query else "")
        request = iam_request_cls(
            account_id=account_id, method=self.method, path=path, data=self.data, body=self.raw_body,
            headers=self.headers, action=self._get_action(),
        )
        request.check_signature()
        try:
            request.check_action_permitted(resource)
        except AccessDeniedError as denied:
            if resource.startswith("arn:aws:dynamodb:"):  # a JSON protocol: AWS answers AccessDeniedException
                denial = JsonRESTError("AccessDeniedException", f"{denied.message} on resource: {resource}")
                denial.code = 400
                raise denial from None
            raise
        return None

    ActionAuthenticatorMixin._authenticate_and_authorize_action = authorize  # type: ignore[method-assign]


S3_XML_NAMESPACE = "http://s3.amazonaws.com/doc/2006-03-01/"


def _s3_error(status: int, code: str, message: str) -> tuple[int, dict[str, str], str]:
    body = f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code><Message>{message}</Message></Error>'
    return status, {"content-type": "application/xml"}, body


def bucket_metrics_configurations_are_kept() -> None:
    """moto 5.2.5 has no S3 request-metrics configurations: a PUT ``?metrics`` answers 200 and keeps nothing, a GET
    answers an empty configuration (so a configuration removed outside Terraform is never missed), and a DELETE
    ``?metrics`` deletes the *bucket*, or fails with BucketNotEmpty (409) when it holds objects, so the
    ``aws_s3_bucket_metric`` of a bucket in use can never be destroyed. On AWS each bucket keeps its configurations
    by id: PutBucketMetricsConfiguration, Get (404 NoSuchConfiguration when there is none), Delete and List; so
    does this (the caller is authorized as ``PutMetricsConfiguration`` / ``GetMetricsConfiguration``)."""
    import xmltodict
    from moto.s3.responses import S3Response

    original = S3Response._bucket_response
    missing = functools.partial(_s3_error, 404, "NoSuchConfiguration", "The specified configuration does not exist.")

    def _bucket_response(self: S3Response, request: Any, full_url: str) -> Any:
        querystring = self._get_querystring(request, full_url)
        if "metrics" not in querystring or request.method not in ("GET", "PUT", "DELETE"):
            return original(self, request, full_url)
        bucket_name = self.parse_bucket_name_from_url(request, full_url)
        self.data["Action"] = "GetMetricsConfiguration" if request.method == "GET" else "PutMetricsConfiguration"
        self._authenticate_and_authorize_s3_action(bucket_name=bucket_name)
        kept: dict[str, dict[str, Any]] = vars(self.backend.get_bucket(bucket_name)).setdefault("metrics_configurations", {})
        config_id = (querystring.get("id") or [None])[0]
        if request.method == "PUT":
            body = self.body.decode() if isinstance(self.body, bytes) else self.body
            config = {k: v for k, v in xmltodict.parse(body)["MetricsConfiguration"].items() if not k.startswith("@")}
            if not config_id or config.get("Id") != config_id:
                return _s3_error(400, "InvalidArgument", "The configuration's Id must be the id in the request.")
            kept[config_id] = config
            return 200, {}, ""
        if request.method == "DELETE":
            return (204, {}, "") if kept.pop(config_id, None) is not None else missing()
        if config_id is None:
            listed = {"@xmlns": S3_XML_NAMESPACE, "IsTruncated": "false", "MetricsConfiguration": list(kept.values())}
            return 200, {"content-type": "application/xml"}, xmltodict.unparse({"ListMetricsConfigurationsResult": listed})
        if config_id not in kept:
            return missing()
        return 200, {"content-type": "application/xml"}, xmltodict.unparse({"MetricsConfiguration": {"@xmlns": S3_XML_NAMESPACE, **kept[config_id]}})

    S3Response._bucket_response = _bucket_response  # type: ignore[method-assign]


def trails_are_described_by_name_or_arn() -> None:
    """moto's DescribeTrails ignores ``trailNameList`` and returns every trail; the AWS provider
    reads a trail by its ARN and fails with "too many results" as soon as two environments share
    an account. AWS returns only the trails named (by name or ARN); so does this."""
    from moto.cloudtrail.responses import CloudTrailResponse

    def describe_trails(self: CloudTrailResponse) -> str:
        include_shadow_trails = self._get_bool_param("includeShadowTrails", True)
        wanted = set(self._get_param("trailNameList") or [])
        trails = self.cloudtrail_backend.describe_trails(include_shadow_trails)
        if wanted:
            trails = [t for t in trails if t.trail_name in wanted or t.arn in wanted]
        return json.dumps({"trailList": [t.description(include_region=True) for t in trails]})

    CloudTrailResponse.describe_trails = describe_trails  # type: ignore[method-assign]


def trail_selectors_are_replaced_and_described() -> None:
    """moto's PutInsightSelectors appends to the trail's selectors instead of replacing them (so Insights can
    never be turned off, and a second put doubles them), and its trail description always says
    ``HasInsightSelectors: false`` and ``HasCustomEventSelectors: false``. The AWS provider reads a trail's
    Insights only when the description says it has some, so a change made outside Terraform would go unseen.
    AWS replaces the selectors and describes what the trail has; so does this."""
    from moto.cloudtrail.models import Trail

    original_description = Trail.description

    def put_insight_selectors(self: Trail, insight_selectors: list[dict[str, str]]) -> None:
        self.insight_selectors = list(insight_selectors)

    def description(self: Trail, include_region: bool = False) -> dict[str, Any]:
        described = original_description(self, include_region)
        described["HasInsightSelectors"] = bool(self.insight_selectors)
        described["HasCustomEventSelectors"] = bool(self.event_selectors or self.advanced_event_selectors)
        return described

    Trail.put_insight_selectors = put_insight_selectors  # type: ignore[method-assign]
    Trail.description = description  # type: ignore[method-assign]


def rds_instances_get_their_own_resource_ids() -> None:
    """moto gives every DB instance the same ``DbiResourceId``; the AWS provider finds an instance
    by it, so with two instances in an account (two environments) it finds neither. AWS makes
    each unique; so does this (derived from the account, region and identifier)."""
    import base64
    import hashlib

    from moto.rds.models import DBInstance

    original_init = DBInstance.__init__

    def __init__(self: DBInstance, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        seed = f"{self.account_id}/{self.region}/{self.db_instance_identifier}".encode()
        self.dbi_resource_id = "db-" + base64.b32encode(hashlib.sha256(seed).digest()).decode()[:26]

    DBInstance.__init__ = __init__  # type: ignore[method-assign]


def rds_event_subscriptions_can_be_changed() -> None:
    """moto creates, describes and deletes RDS event subscriptions but cannot change one:
    ``ModifyEventSubscription``, ``AddSourceIdentifierToSubscription`` and
    ``RemoveSourceIdentifierFromSubscription`` are not implemented (HTTP 500, retried until
    Terraform gives up). A plan that changes a subscription, such as the new source id of the
    parameter-group subscription after a MySQL major upgrade, could never apply. AWS changes
    the subscription in place; so does this."""
    from moto.core.responses import ActionResult
    from moto.rds.exceptions import SubscriptionNotFoundError
    from moto.rds.responses import RDSResponse

    settable = (("SnsTopicArn", "sns_topic_arn"), ("SourceType", "source_type"), ("EventCategories", "event_categories"), ("Enabled", "enabled"))

    def named(response: RDSResponse) -> Any:
        name = response.params.get("SubscriptionName")
        if name not in response.backend.event_subscriptions:
            raise SubscriptionNotFoundError(name)
        return response.backend.event_subscriptions[name]

    def modify_event_subscription(self: RDSResponse) -> ActionResult:
        subscription = named(self)
        for given, kept in settable:
            if self.params.get(given) is not None:
                setattr(subscription, kept, self.params[given])
        return ActionResult({"EventSubscription": subscription})

    def add_source_identifier_to_subscription(self: RDSResponse) -> ActionResult:
        subscription = named(self)
        source = self.params.get("SourceIdentifier")
        if source not in subscription.source_ids:
            subscription.source_ids = [*subscription.source_ids, source]
        return ActionResult({"EventSubscription": subscription})

    def remove_source_identifier_from_subscription(self: RDSResponse) -> ActionResult:
        subscription = named(self)
        subscription.source_ids = [s for s in subscription.source_ids if s != self.params.get("SourceIdentifier")]
        return ActionResult({"EventSubscription": subscription})

    RDSResponse.modify_event_subscription = modify_event_subscription  # type: ignore[attr-defined]
    RDSResponse.add_source_identifier_to_subscription = add_source_identifier_to_subscription  # type: ignore[attr-defined]
    RDSResponse.remove_source_identifier_from_subscription = remove_source_identifier_from_subscription  # type: ignore[attr-defined]


DISPATCH_WAIT_SECONDS = 120.0
"""How long a request waits for the one before it. Far above any request's own time (moto answers in
milliseconds); reaching it means a request is stuck, and the waiting one gets a 503 saying so instead
of hanging with it."""


RETRY_MEMORY = 4096
"""How many completed requests the gate remembers by the SDK's invocation id, to answer a retry of one."""


class OneRequestAtATime:
    """A gate that lets one WSGI request at a time run, its response body included (moto renders some
    responses lazily: a rule's tags are looked up while its response is written).

    It also answers a *retry* the way AWS does for a request it has already carried out. The AWS SDKs
    send every attempt of one call with the same ``amz-sdk-invocation-id`` and ``amz-sdk-request:
    attempt=N``. When the client gave up on an attempt moto had carried out (the connection broke
    before the answer arrived), running the retry again would do the work twice: a second
    DeleteDashboards finds nothing to delete, a second AuthorizeSecurityGroupEgress finds the rule.
    So the answer to an attempt that succeeded is kept, and a later attempt of the same call gets it
    again; the emulator's log says so. An error is never kept: the SDK retries a 5xx or a throttling
    error because it expects the call to run again."""

    def __init__(self, wait_seconds: float = DISPATCH_WAIT_SECONDS, memory: int = RETRY_MEMORY) -> None:
        self.wait_seconds = wait_seconds
        self.lock = threading.Lock()
        self.memory = memory
        self.answers: collections.OrderedDict[str, tuple[str, list[tuple[str, str]], bytes]] = collections.OrderedDict()

    def run(self, application: Callable[..., Iterable[bytes]], environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        if not self.lock.acquire(timeout=self.wait_seconds):
            message = (
                f"emulator: a request has held the emulator for over {self.wait_seconds:.0f} s; "
                f"{environ.get('REQUEST_METHOD')} {environ.get('PATH_INFO')} was not run"
            )
            print(message, file=sys.stderr, flush=True)
            start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
            return [message.encode()]
        try:
            invocation = environ.get("HTTP_AMZ_SDK_INVOCATION_ID")
            attempt = _attempt(environ.get("HTTP_AMZ_SDK_REQUEST", ""))
            if invocation and attempt > 1 and invocation in self.answers:
                status, headers, body = self.answers[invocation]
                print(
                    f"emulator: attempt {attempt} of {environ.get('REQUEST_METHOD')} {environ.get('PATH_INFO')} "
                    f"(invocation {invocation}) repeats a call already carried out; answered as the first time ({status})",
                    file=sys.stderr,
                    flush=True,
                )
                start_response(status, headers)
                return [body]
            answered: list[tuple[str, list[tuple[str, str]]]] = []

            def recording_start_response(status: str, headers: list[tuple[str, str]], *rest: Any) -> Any:
                answered.append((status, list(headers)))
                return start_response(status, headers, *rest)

            body = application(environ, recording_start_response)
            try:
                content = b"".join(body)
            finally:
                close = getattr(body, "close", None)
                if close is not None:
                    close()
            if invocation and answered and answered[-1][0][:1] in ("2", "3"):
                self.answers[invocation] = (answered[-1][0], answered[-1][1], content)
                while len(self.answers) > self.memory:
                    self.answers.popitem(last=False)
            return [content]
        finally:
            self.lock.release()


def _attempt(header: str) -> int:
    """``attempt=2; max=25`` -> 2 (1 when absent or unreadable)."""
    for part in header.split(";"):
        key, _, value = part.strip().partition("=")
        if key == "attempt" and value.isdigit():
            return int(value)
    return 1


def requests_are_dispatched_one_at_a_time() -> None:
    """moto's server answers on many threads, but its backends keep resources in plain dicts and lists
    without locks. Under Terraform's parallel requests one request can change a dict that another is
    iterating (``RuntimeError: dictionary changed size during iteration``): the second gets a 500,
    sometimes after it has already changed the emulator's state (a rule is added, then the response
    fails while listing tags). The provider's SDK retries every 500, and the retry is refused, for
    example ``InvalidPermission.Duplicate`` for a security-group rule that now exists in the emulator
    but not in Terraform's state. AWS never fails that way. Here one request at a time runs inside moto
    (one gate for the process, as its backends are process-wide); connections are still accepted on
    many threads."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication

    original = DomainDispatcherApplication.__call__
    gate = OneRequestAtATime()

    def __call__(self: DomainDispatcherApplication, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        return gate.run(functools.partial(original, self), environ, start_response)

    DomainDispatcherApplication.__call__ = __call__  # type: ignore[method-assign]


RDS_DEFAULT_CA = "rds-ca-rsa2048-g1"
"""The certificate authority AWS gives a new DB instance when none is asked for (since January 2024)."""


def rds_instances_get_the_current_default_ca() -> None:
    """moto gives a new DB instance the CA ``rds-ca-default``, which AWS no longer issues; AWS gives
    ``rds-ca-rsa2048-g1``. The provider creates the instance without a CA and, when the one reported
    differs from the configured one, modifies it afterwards and waits again (80 s on the emulator,
    the provider's own polling). Here a new instance gets AWS's default, as on AWS."""
    from moto.rds.models import DBInstance

    original_init = DBInstance.__init__

    def __init__(self: DBInstance, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        if "ca_certificate_identifier" not in kwargs:
            self.ca_certificate_identifier = RDS_DEFAULT_CA

    DBInstance.__init__ = __init__  # type: ignore[method-assign]


# --------------------------------------------------------------------------- GuardDuty


def guardduty_detector_features_are_merged_by_name() -> None:
    """moto's UpdateDetector replaces the detector's whole ``features`` list with the one in the
    request. ``aws_guardduty_detector_feature`` sends one feature per call, so with several feature
    resources only the last one survives and every other read fails with "empty result". AWS
    updates only the features named in the request (and, within one, only the additional
    configurations named); so does this."""
    from moto.guardduty.models import Detector

    original_update = Detector.update

    def merge(current: list[dict[str, Any]], given: list[dict[str, Any]]) -> list[dict[str, Any]]:
        by_name = {item["name"]: dict(item) for item in current}
        for item in given:
            old = by_name.get(item["name"], {})
            new = {**old, **item}
            if "additionalConfiguration" in item or "additionalConfiguration" in old:
                new["additionalConfiguration"] = merge(
                    old.get("additionalConfiguration") or [], item.get("additionalConfiguration") or []
                )
            by_name[item["name"]] = new
        return list(by_name.values())

    def update(self: Detector, enable: Any, finding_publishing_frequency: Any, data_sources: Any, features: Any) -> None:
        if features is not None:
            features = merge(self.features, features)
        original_update(self, enable, finding_publishing_frequency, data_sources, features)

    Detector.update = update  # type: ignore[method-assign]


# --------------------------------------------------------------------------- Security Hub


def securityhub_configuration_can_be_updated() -> None:
    """moto raises NotImplementedError (HTTP 500) for UpdateSecurityHubConfiguration, which
    ``aws_securityhub_account`` calls right after EnableSecurityHub; the SDK retries the 500 until
    Terraform gives up, so the account can never be created. AWS stores AutoEnableControls and
    ControlFindingGenerator and returns them from DescribeHub; so does this."""
    from moto.securityhub.exceptions import SecurityHubClientError
    from moto.securityhub.models import SecurityHubBackend
    from moto.securityhub.responses import SecurityHubResponse

    original_enable = SecurityHubBackend.enable_security_hub
    original_describe = SecurityHubBackend.describe_hub

    def enable_security_hub(self: SecurityHubBackend, *args: Any, **kwargs: Any) -> dict[str, Any]:
        if not self.enabled:
            self.auto_enable_controls = True
            self.control_finding_generator = "SECURITY_CONTROL"
        return original_enable(self, *args, **kwargs)

    def describe_hub(self: SecurityHubBackend, hub_arn: str | None = None) -> dict[str, Any]:
        answer = original_describe(self, hub_arn)
        answer["AutoEnableControls"] = getattr(self, "auto_enable_controls", True)
        answer["ControlFindingGenerator"] = getattr(self, "control_finding_generator", "SECURITY_CONTROL")
        return answer

    def update_security_hub_configuration(self: SecurityHubResponse) -> str:
        backend = self.securityhub_backend
        if not backend.enabled:
            raise SecurityHubClientError("InvalidAccessException", "Account is not subscribed to AWS Security Hub")
        params = json.loads(self.body) if self.body else {}
        if params.get("AutoEnableControls") is not None:
            backend.auto_enable_controls = bool(params["AutoEnableControls"])
        if params.get("ControlFindingGenerator"):
            backend.control_finding_generator = params["ControlFindingGenerator"]
        return "{}"

    SecurityHubBackend.enable_security_hub = enable_security_hub  # type: ignore[method-assign]
    SecurityHubBackend.describe_hub = describe_hub  # type: ignore[method-assign]
    SecurityHubResponse.update_security_hub_configuration = update_security_hub_configuration  # type: ignore[attr-defined]


SECURITYHUB_STANDARDS: list[tuple[str, str, bool]] = [
    # (ARN, with {region} where AWS puts the region; name; enabled by default)
    ("arn:aws:securityhub:{region}::standards/aws-foundational-security-best-practices/v/1.0.0",
     "AWS Foundational Security Best Practices v1.0.0", True),
    ("arn:aws:securityhub:{region}::standards/aws-resource-tagging-standard/v/1.0.0", "AWS Resource Tagging Standard v1.0.0", False),
    ("arn:aws:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0", "CIS AWS Foundations Benchmark v1.2.0", True),
    ("arn:aws:securityhub:{region}::standards/cis-aws-foundations-benchmark/v/1.4.0", "CIS AWS Foundations Benchmark v1.4.0", False),
    ("arn:aws:securityhub:{region}::standards/cis-aws-foundations-benchmark/v/3.0.0", "CIS AWS Foundations Benchmark v3.0.0", False),
    ("arn:aws:securityhub:{region}::standards/nist-800-53/v/5.0.0", "NIST Special Publication 800-53 Revision 5", False),
    ("arn:aws:securityhub:{region}::standards/nist-800-171/v/2.0.0", "NIST SP 800-171 Revision 2", False),
    ("arn:aws:securityhub:{region}::standards/pci-dss/v/3.2.1", "PCI DSS v3.2.1", False),
    ("arn:aws:securityhub:{region}::standards/pci-dss/v/4.0.1", "PCI DSS v4.0.1", False),
]
"""The standards AWS Security Hub offers (DescribeStandards); moto 5.2.5 has none."""


def securityhub_standards_can_be_subscribed() -> None:
    """moto has no Security Hub standards at all: BatchEnableStandards, GetEnabledStandards,
    BatchDisableStandards and DescribeStandards have no route (HTTP 404) and no implementation,
    and EnableDefaultStandards is ignored. ``aws_securityhub_standards_subscription`` cannot be
    created. AWS subscribes the account to a standard it offers (subscription ARN
    ``arn:aws:securityhub:<region>:<account>:subscription/<standard>/v/<version>``), reports it
    READY, and removes it on BatchDisableStandards or DisableSecurityHub; so does this. Unknown
    standards ARNs are refused with InvalidInputException, as on AWS."""
    from moto.securityhub import urls
    from moto.securityhub.exceptions import SecurityHubClientError
    from moto.securityhub.models import SecurityHubBackend
    from moto.securityhub.responses import SecurityHubResponse

    for path in ("{0}/standards$", "{0}/standards/register$", "{0}/standards/deregister$", "{0}/standards/get$"):
        urls.url_paths[path] = SecurityHubResponse.dispatch

    def offered(backend: SecurityHubBackend) -> dict[str, tuple[str, bool]]:
        return {arn.format(region=backend.region_name): (name, default) for arn, name, default in SECURITYHUB_STANDARDS}

    def subscriptions(backend: SecurityHubBackend) -> dict[str, dict[str, Any]]:
        if not hasattr(backend, "standards_subscriptions"):
            backend.standards_subscriptions = {}
        return backend.standards_subscriptions

    def subscription_arn(backend: SecurityHubBackend, standards_arn: str) -> str:
        resource = standards_arn.split(":", 5)[5].split("/", 1)[1]  # cis-aws-foundations-benchmark/v/3.0.0
        return f"arn:aws:securityhub:{backend.region_name}:{backend.account_id}:subscription/{resource}"

    def require_hub(backend: SecurityHubBackend) -> None:
        if not backend.enabled:
            raise SecurityHubClientError("InvalidAccessException", "Account is not subscribed to AWS Security Hub")

    def subscribe(backend: SecurityHubBackend, standards_arn: str, standards_input: dict[str, str]) -> dict[str, Any]:
        if standards_arn not in offered(backend):
            raise SecurityHubClientError("InvalidInputException", f"StandardsArn {standards_arn} is not a valid standard in this Region")
        arn = subscription_arn(backend, standards_arn)
        return subscriptions(backend).setdefault(arn, {
            "StandardsSubscriptionArn": arn,
            "StandardsArn": standards_arn,
            "StandardsInput": standards_input or {},
            "StandardsStatus": "READY",
            "StandardsControlsUpdatable": "READY_FOR_UPDATES",
        })

    original_enable = SecurityHubBackend.enable_security_hub
    original_disable = SecurityHubBackend.disable_security_hub

    def enable_security_hub(self: SecurityHubBackend, enable_default_standards: bool = True, tags: Any = None) -> dict[str, Any]:
        was_enabled = self.enabled
        answer = original_enable(self, enable_default_standards=enable_default_standards, tags=tags)
        if not was_enabled and enable_default_standards:
            for arn, (_, default) in offered(self).items():
                if default:
                    subscribe(self, arn, {})
        return answer

    def disable_security_hub(self: SecurityHubBackend) -> dict[str, Any]:
        answer = original_disable(self)
        subscriptions(self).clear()
        return answer

    def params(response: SecurityHubResponse) -> dict[str, Any]:
        return json.loads(response.body) if response.body else {}

    def describe_standards(self: SecurityHubResponse) -> str:
        standards = [
            {"StandardsArn": arn, "Name": name, "Description": name, "EnabledByDefault": default,
             "StandardsManagedBy": {"Company": "AWS", "Product": "Security Hub"}}
            for arn, (name, default) in offered(self.securityhub_backend).items()
        ]
        return json.dumps({"Standards": standards})

    def batch_enable_standards(self: SecurityHubResponse) -> str:
        backend = self.securityhub_backend
        require_hub(backend)
        requests = params(self).get("StandardsSubscriptionRequests") or []
        done = [subscribe(backend, r["StandardsArn"], r.get("StandardsInput") or {}) for r in requests]
        return json.dumps({"StandardsSubscriptions": done})

    def get_enabled_standards(self: SecurityHubResponse) -> str:
        backend = self.securityhub_backend
        require_hub(backend)
        wanted = params(self).get("StandardsSubscriptionArns")
        found = [s for arn, s in subscriptions(backend).items() if not wanted or arn in wanted]
        return json.dumps({"StandardsSubscriptions": found})

    def batch_disable_standards(self: SecurityHubResponse) -> str:
        backend = self.securityhub_backend
        require_hub(backend)
        done = []
        for arn in params(self).get("StandardsSubscriptionArns") or []:
            subscription = subscriptions(backend).pop(arn, None)
            if subscription is None:
                raise SecurityHubClientError("InvalidInputException", f"StandardsSubscriptionArn {arn} is not enabled")
            done.append({**subscription, "StandardsStatus": "DELETING"})
        return json.dumps({"StandardsSubscriptions": done})

    SecurityHubBackend.enable_security_hub = enable_security_hub  # type: ignore[method-assign]
    SecurityHubBackend.disable_security_hub = disable_security_hub  # type: ignore[method-assign]
    SecurityHubResponse.describe_standards = describe_standards  # type: ignore[attr-defined]
    SecurityHubResponse.batch_enable_standards = batch_enable_standards  # type: ignore[attr-defined]
    SecurityHubResponse.get_enabled_standards = get_enabled_standards  # type: ignore[attr-defined]
    SecurityHubResponse.batch_disable_standards = batch_disable_standards  # type: ignore[attr-defined]


def securityhub_findings_can_be_aggregated() -> None:
    """moto has no Security Hub finding aggregators: CreateFindingAggregator and the rest have no route
    (HTTP 404, an HTML page the SDK cannot read), so ``aws_securityhub_finding_aggregator`` cannot be
    created. AWS keeps one aggregator per account, in the region that aggregates
    (``arn:aws:securityhub:<region>:<account>:finding-aggregator/<id>``), refuses a second one, and
    answers Get, Update, Delete and List for it; so does this (it aggregates nothing)."""
    import uuid

    from moto.securityhub import urls
    from moto.securityhub.exceptions import SecurityHubClientError
    from moto.securityhub.models import SecurityHubBackend
    from moto.securityhub.responses import SecurityHubResponse

    for path in ("create", "update", "list", "get/(?P<arn>.+)", "delete/(?P<arn>.+)"):
        urls.url_paths["{0}/findingAggregator/" + path + "$"] = SecurityHubResponse.dispatch

    def aggregators(backend: SecurityHubBackend) -> dict[str, dict[str, Any]]:
        if not hasattr(backend, "finding_aggregators"):
            backend.finding_aggregators = {}
        return backend.finding_aggregators

    def params(response: SecurityHubResponse) -> dict[str, Any]:
        return json.loads(response.body) if response.body else {}

    def named(response: SecurityHubResponse, arn: str) -> dict[str, Any]:
        found = aggregators(response.securityhub_backend).get(arn)
        if found is None:
            raise SecurityHubClientError("ResourceNotFoundException", f"Finding aggregator {arn} not found")
        return found

    def arn_in_path(response: SecurityHubResponse, verb: str) -> str:
        import urllib.parse

        return urllib.parse.unquote(response.path.split(f"/findingAggregator/{verb}/", 1)[1])

    def create_finding_aggregator(self: SecurityHubResponse) -> str:
        backend, given = self.securityhub_backend, params(self)
        if aggregators(backend):
            raise SecurityHubClientError("InvalidInputException", "A finding aggregator already exists in this account")
        arn = f"arn:aws:securityhub:{backend.region_name}:{backend.account_id}:finding-aggregator/{uuid.uuid4()}"
        aggregator = {
            "FindingAggregatorArn": arn, "FindingAggregationRegion": backend.region_name,
            "RegionLinkingMode": given.get("RegionLinkingMode", "ALL_REGIONS"), "Regions": given.get("Regions") or [],
        }
        aggregators(backend)[arn] = aggregator
        return json.dumps(aggregator)

    def get_finding_aggregator(self: SecurityHubResponse) -> str:
        return json.dumps(named(self, arn_in_path(self, "get")))

    def update_finding_aggregator(self: SecurityHubResponse) -> str:
        given = params(self)
        aggregator = named(self, given.get("FindingAggregatorArn", ""))
        aggregator.update(RegionLinkingMode=given.get("RegionLinkingMode", aggregator["RegionLinkingMode"]), Regions=given.get("Regions") or [])
        return json.dumps(aggregator)

    def delete_finding_aggregator(self: SecurityHubResponse) -> str:
        arn = arn_in_path(self, "delete")
        named(self, arn)
        del aggregators(self.securityhub_backend)[arn]
        return "{}"

    def list_finding_aggregators(self: SecurityHubResponse) -> str:
        return json.dumps({"FindingAggregators": [{"FindingAggregatorArn": arn} for arn in aggregators(self.securityhub_backend)]})

    SecurityHubResponse.create_finding_aggregator = create_finding_aggregator  # type: ignore[attr-defined]
    SecurityHubResponse.get_finding_aggregator = get_finding_aggregator  # type: ignore[attr-defined]
    SecurityHubResponse.update_finding_aggregator = update_finding_aggregator  # type: ignore[attr-defined]
    SecurityHubResponse.delete_finding_aggregator = delete_finding_aggregator  # type: ignore[attr-defined]
    SecurityHubResponse.list_finding_aggregators = list_finding_aggregators  # type: ignore[attr-defined]


# --------------------------------------------------------------------------- EC2 / EBS


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


# --------------------------------------------------------------------------- AWS Backup


def _backup_store(backend: Any, name: str) -> dict[str, Any]:
    """A dict the patches below keep on moto's backup backend (one per account and region)."""
    if not hasattr(backend, name):
        setattr(backend, name, {})
    return getattr(backend, name)


def _backup_params(response: Any) -> dict[str, Any]:
    return json.loads(response.body) if response.body else {}


def backup_tags_are_read_by_arn() -> None:
    """moto 5.2.5's ListTags takes the resource ARN from the second-to-last segment of the path, which holds it only
    when the path ends in a slash, as boto3 sends it (``/tags/<arn>/``). The Go SDK, Terraform's, sends ``/tags/<arn>``:
    moto then lists the tags of ``tags``, none, and every plan adds a vault's and a plan's tags again. AWS reads the
    ARN from the path either way; so does this."""
    from urllib.parse import unquote

    from moto.backup.responses import BackupResponse

    def list_tags(self: BackupResponse) -> str:
        arn = unquote(self.uri_match.get("resourceArn") or self.path.rstrip("/").split("/tags/", 1)[1])
        return json.dumps({"Tags": self.backup_backend.list_tags(resource_arn=arn)})

    BackupResponse.list_tags = list_tags  # type: ignore[method-assign]


def backup_selections_are_served() -> None:
    """moto 5.2.5 routes a backup plan's selections (``/backup/plans/<id>/selections/...``) to its backup handler, which
    has no CreateBackupSelection, GetBackupSelection, ListBackupSelections or DeleteBackupSelection: every call is an
    HTTP 500 the SDK retries until Terraform gives up, so ``aws_backup_selection`` can be neither created nor read.
    AWS keeps each selection under its plan (a new SelectionId, the selection as given), answers ResourceNotFound for
    one it does not have, and refuses to delete a plan that still has selections; so does this."""
    import datetime
    import uuid

    from moto.backup.exceptions import InvalidRequestException, ResourceNotFoundException
    from moto.backup.models import BackupBackend
    from moto.backup.responses import BackupResponse

    original_delete_plan = BackupBackend.delete_backup_plan

    def plan_selections(response: BackupResponse) -> tuple[str, dict[str, Any]]:
        plan_id = response.uri_match["backupPlanId"]
        backend = response.backup_backend
        if plan_id not in backend.plans or backend.plans[plan_id].deletion_date is not None:
            raise ResourceNotFoundException(msg=f"Failed reading Backup plan {plan_id}")
        return plan_id, _backup_store(backend, "platform_selections").setdefault(plan_id, {})

    def selection(response: BackupResponse) -> dict[str, Any]:
        _, selections = plan_selections(response)
        found = selections.get(response.uri_match["selectionId"])
        if found is None:
            raise ResourceNotFoundException(msg=f"Failed reading Backup selection {response.uri_match['selectionId']}")
        return found

    def create_backup_selection(self: BackupResponse) -> str:
        plan_id, selections = plan_selections(self)
        given = _backup_params(self)
        selection_id = str(uuid.uuid4())
        selections[selection_id] = {
            "SelectionId": selection_id, "BackupPlanId": plan_id, "BackupSelection": given["BackupSelection"],
            "CreationDate": datetime.datetime.now(datetime.UTC).timestamp(), "CreatorRequestId": given.get("CreatorRequestId"),
        }
        return json.dumps({"SelectionId": selection_id, "BackupPlanId": plan_id, "CreationDate": selections[selection_id]["CreationDate"]})

    def get_backup_selection(self: BackupResponse) -> str:
        return json.dumps({k: v for k, v in selection(self).items() if v is not None})

    def list_backup_selections(self: BackupResponse) -> str:
        _, selections = plan_selections(self)
        return json.dumps({"BackupSelectionsList": [
            {"SelectionId": s["SelectionId"], "BackupPlanId": s["BackupPlanId"], "SelectionName": s["BackupSelection"]["SelectionName"],
             "IamRoleArn": s["BackupSelection"]["IamRoleArn"], "CreationDate": s["CreationDate"]}
            for s in selections.values()
        ]})

    def delete_backup_selection(self: BackupResponse) -> str:
        found = selection(self)
        del _backup_store(self.backup_backend, "platform_selections")[found["BackupPlanId"]][found["SelectionId"]]
        return "{}"

    def delete_backup_plan(self: BackupBackend, backup_plan_id: str) -> Any:
        if _backup_store(self, "platform_selections").get(backup_plan_id):
            raise InvalidRequestException(msg="Related backup plan selections must be deleted prior to backup plan deletion")
        return original_delete_plan(self, backup_plan_id)

    BackupResponse.create_backup_selection = create_backup_selection  # type: ignore[attr-defined]
    BackupResponse.get_backup_selection = get_backup_selection  # type: ignore[attr-defined]
    BackupResponse.list_backup_selections = list_backup_selections  # type: ignore[attr-defined]
    BackupResponse.delete_backup_selection = delete_backup_selection  # type: ignore[attr-defined]
    BackupBackend.delete_backup_plan = delete_backup_plan  # type: ignore[method-assign]


def backup_plans_can_be_updated_and_renamed_after_deletion() -> None:
    """moto 5.2.5 has no UpdateBackupPlan (HTTP 500, retried until Terraform gives up), so a changed rule (a retention,
    the window) never applies; and CreateBackupPlan refuses the name of a plan already deleted, so an environment
    destroyed and deployed again cannot make its plan. AWS replaces the plan's rules with a new version id, and
    refuses only the name of a plan that still exists; so does this."""
    from moto.backup.exceptions import AlreadyExistsException, ResourceNotFoundException
    from moto.backup.models import BackupBackend, Plan
    from moto.backup.responses import BackupResponse
    from moto.moto_api._internal import mock_random

    def create_backup_plan(self: BackupBackend, backup_plan: dict[str, Any], backup_plan_tags: dict[str, str], creator_request_id: str) -> Plan:
        if any(p.backup_plan["BackupPlanName"] == backup_plan["BackupPlanName"] and p.deletion_date is None for p in self.plans.values()):
            raise AlreadyExistsException(msg="Backup plan with the same plan document already exists")
        plan = Plan(backup_plan=backup_plan, creator_request_id=creator_request_id, backend=self)
        if backup_plan_tags:
            self.tag_resource(plan.backup_plan_arn, backup_plan_tags)
        self.plans[plan.backup_plan_id] = plan
        return plan

    def update_backup_plan(self: BackupResponse) -> str:
        plan_id = self.uri_match["backupPlanId"]
        plan = self.backup_backend.plans.get(plan_id)
        if plan is None or plan.deletion_date is not None:
            raise ResourceNotFoundException(msg=f"Failed reading Backup plan {plan_id}")
        given = _backup_params(self)["BackupPlan"]
        # Plan() fills in what AWS fills in (windows, timezone, rule ids); keep the plan's identity and take the rest.
        replacement = Plan(backup_plan=given, creator_request_id=plan.creator_request_id, backend=self.backup_backend)
        plan.backup_plan = replacement.backup_plan
        plan.advanced_backup_settings = replacement.advanced_backup_settings
        plan.version_id = mock_random.get_random_string(length=48)
        return json.dumps({"BackupPlanId": plan.backup_plan_id, "BackupPlanArn": plan.backup_plan_arn, "VersionId": plan.version_id,
                           "CreationDate": plan.creation_date})

    BackupBackend.create_backup_plan = create_backup_plan  # type: ignore[method-assign]
    BackupResponse.update_backup_plan = update_backup_plan  # type: ignore[attr-defined]


def backup_vault_notifications_are_served() -> None:
    """moto 5.2.5 has no route for a vault's notification configuration (``/backup-vaults/<name>/notification-configuration``:
    HTTP 404, an HTML page the SDK cannot read), so ``aws_backup_vault_notifications`` cannot be created. AWS keeps one
    configuration per vault (its topic and events), answers ResourceNotFound without one, and forgets it with the
    vault; so does this (it sends nothing)."""
    from moto.backup import urls
    from moto.backup.exceptions import ResourceNotFoundException
    from moto.backup.models import BackupBackend
    from moto.backup.responses import BackupResponse

    urls.url_paths["{0}/backup-vaults/(?P<name>[^/]+)/notification-configuration$"] = BackupResponse.dispatch
    original_delete_vault = BackupBackend.delete_backup_vault

    def vault(response: BackupResponse) -> Any:
        return response.backup_backend.describe_backup_vault(response.uri_match["backupVaultName"])

    def put_backup_vault_notifications(self: BackupResponse) -> str:
        found, given = vault(self), _backup_params(self)
        _backup_store(self.backup_backend, "platform_notifications")[found.backup_vault_name] = {
            "BackupVaultName": found.backup_vault_name, "BackupVaultArn": found.backup_vault_arn,
            "SNSTopicArn": given["SNSTopicArn"], "BackupVaultEvents": given["BackupVaultEvents"],
        }
        return "{}"

    def get_backup_vault_notifications(self: BackupResponse) -> str:
        found = _backup_store(self.backup_backend, "platform_notifications").get(vault(self).backup_vault_name)
        if found is None:
            raise ResourceNotFoundException(msg=f"Backup vault {self.uri_match['backupVaultName']} has no notifications")
        return json.dumps(found)

    def delete_backup_vault_notifications(self: BackupResponse) -> str:
        _backup_store(self.backup_backend, "platform_notifications").pop(vault(self).backup_vault_name, None)
        return "{}"

    def delete_backup_vault(self: BackupBackend, backup_vault_name: str) -> None:
        _backup_store(self, "platform_notifications").pop(backup_vault_name, None)
        original_delete_vault(self, backup_vault_name)

    BackupResponse.put_backup_vault_notifications = put_backup_vault_notifications  # type: ignore[attr-defined]
    BackupResponse.get_backup_vault_notifications = get_backup_vault_notifications  # type: ignore[attr-defined]
    BackupResponse.delete_backup_vault_notifications = delete_backup_vault_notifications  # type: ignore[attr-defined]
    BackupBackend.delete_backup_vault = delete_backup_vault  # type: ignore[method-assign]


def backup_recovery_points_can_be_listed() -> None:
    """moto 5.2.5 cannot make a recovery point (no StartBackupJob), and has no route to list them
    (ListRecoveryPointsByBackupVault, ListRecoveryPointsByResource: HTTP 404). Terraform lists a vault's recovery points
    to destroy a ``force_destroy`` vault (dev's), and ``make recovery-points`` lists a resource's: both fail. What AWS
    would answer here is an empty list (a vault it does not know is ResourceNotFound); so does this."""
    from moto.backup import urls
    from moto.backup.responses import BackupResponse

    urls.url_paths["{0}/backup-vaults/(?P<name>[^/]+)/recovery-points/$"] = BackupResponse.dispatch
    urls.url_paths["{0}/resources/(?P<resource_arn>.+)/recovery-points/$"] = BackupResponse.dispatch

    def list_recovery_points_by_backup_vault(self: BackupResponse) -> str:
        self.backup_backend.describe_backup_vault(self.uri_match["backupVaultName"])
        return json.dumps({"RecoveryPoints": []})

    def list_recovery_points_by_resource(self: BackupResponse) -> str:
        return json.dumps({"RecoveryPoints": []})

    BackupResponse.list_recovery_points_by_backup_vault = list_recovery_points_by_backup_vault  # type: ignore[attr-defined]
    BackupResponse.list_recovery_points_by_resource = list_recovery_points_by_resource  # type: ignore[attr-defined]


def dynamodb_restores_keep_and_override_the_table_settings() -> None:
    """moto 5.2.5 restores a table (RestoreTableFromBackup, RestoreTableToPointInTime) with the source's key schema
    and items only: its encryption and billing mode are dropped, and ``SSESpecificationOverride`` and
    ``BillingModeOverride`` are ignored, so a table restored under the data key reads back unencrypted. AWS gives the
    restored table the source's billing mode and encryption unless the request overrides them; so does this (the
    point in time is still ignored: moto restores the items as they are now)."""
    import copy

    from moto.dynamodb.responses import DynamoHandler, DynamoResult

    original_from_backup = DynamoHandler.restore_table_from_backup
    original_to_point_in_time = DynamoHandler.restore_table_to_point_in_time

    def settle(response: DynamoHandler, source: Any) -> Any:
        body = response.body
        table = response.dynamodb_backend.get_table(body["TargetTableName"])
        table.billing_mode = body.get("BillingModeOverride") or source.billing_mode
        override = body.get("SSESpecificationOverride")
        table.sse_specification = dict(override) if override else copy.deepcopy(source.sse_specification)
        if table.sse_specification and table.sse_specification.get("Enabled") and "KMSMasterKeyId" not in table.sse_specification:
            table.sse_specification["KMSMasterKeyId"] = table._get_default_encryption_key(table.account_id, table.region_name)
        return DynamoResult(table.describe())

    def restore_table_from_backup(self: DynamoHandler) -> Any:
        source = self.dynamodb_backend.get_backup(self.body.get("BackupArn")).table
        original_from_backup(self)
        return settle(self, source)

    def restore_table_to_point_in_time(self: DynamoHandler) -> Any:
        original_to_point_in_time(self)  # refuses an unknown source or an existing target first
        return settle(self, self.dynamodb_backend.get_table(self.body.get("SourceTableName")))

    DynamoHandler.restore_table_from_backup = restore_table_from_backup  # type: ignore[method-assign]
    DynamoHandler.restore_table_to_point_in_time = restore_table_to_point_in_time  # type: ignore[method-assign]


def access_analyzer_is_served() -> None:
    """moto 5.2.5 has no IAM Access Analyzer backend: every request (signing name
    ``access-analyzer``) gets HTTP 500 "Unable to find appropriate backend", which the SDK retries
    until Terraform gives up, so ``aws_accessanalyzer_analyzer`` can be neither created nor
    destroyed. Here a small stand-in answers the analyzer and tag operations as AWS does (one
    ACCOUNT analyzer per account and Region, ResourceNotFoundException 404 once deleted)."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication

    from ops.emulator_access_analyzer import AccessAnalyzerStandIn

    original = DomainDispatcherApplication.__call__
    stand_in = AccessAnalyzerStandIn()

    def __call__(self: DomainDispatcherApplication, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if stand_in.handles(environ):
            return stand_in(environ, start_response)
        return original(self, environ, start_response)

    DomainDispatcherApplication.__call__ = __call__  # type: ignore[method-assign]


PATCHES: list[Callable[[], None]] = [
    access_analyzer_is_served,  # first: the one-request gate below wraps it
    requests_are_dispatched_one_at_a_time,
    trails_are_described_by_name_or_arn,
    trail_selectors_are_replaced_and_described,
    rds_instances_get_their_own_resource_ids,
    rds_instances_get_the_current_default_ca,
    rds_keeps_performance_insights_settings,
    rds_marks_set_parameters_as_user_parameters,
    rds_event_subscriptions_can_be_changed,
    group_referencing_rules_keep_their_description,
    lambda_keeps_its_dead_letter_config,
    rest_api_policy_is_returned_escaped,
    launch_template_data_keeps_only_its_own_tag_specifications,
    interfaces_without_a_public_ip_have_no_association,
    bucket_policy_conditions_are_evaluated,
    delete_markers_can_be_disposed,
    smoke_sessions_are_authorized,


    bucket_metrics_configurations_are_kept,
    trail_deletion_accepts_an_arn,
    instance_monitoring_can_be_switched,
    guardduty_detector_features_are_merged_by_name,
    securityhub_configuration_can_be_updated,
    securityhub_standards_can_be_subscribed,
    securityhub_findings_can_be_aggregated,
    ebs_default_kms_key_can_be_read_and_reset,
    backup_tags_are_read_by_arn,
    backup_selections_are_served,
    backup_plans_can_be_updated_and_renamed_after_deletion,
    backup_vault_notifications_are_served,
    backup_recovery_points_can_be_listed,
    dynamodb_restores_keep_and_override_the_table_settings,
]


def apply_patches() -> None:
    for patch in PATCHES:
        patch()
