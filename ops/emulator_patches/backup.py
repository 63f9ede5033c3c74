"""AWS Backup: tags, backup selections, plan updates, vault notifications, and recovery-point listings."""

from __future__ import annotations

import json
from typing import Any


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
