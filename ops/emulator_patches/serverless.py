"""Serverless: API Gateway resource policies, Lambda dead-letter configs, and DynamoDB restores."""

from __future__ import annotations

import json
from typing import Any


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
