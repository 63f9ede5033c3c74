"""The plan review on crafted ``terraform show -json`` documents (real plans are reviewed in tests/e2e)."""

from __future__ import annotations

import json

from ops.review import review_plan
from platform_core.errors import EXIT_DESTRUCTIVE


def change(address, actions, before=None, after=None, *, replace_paths=None, after_unknown=None, after_sensitive=None):
    resource_type = address.split(".")[0]
    return {
        "address": address,
        "mode": "managed",
        "type": resource_type,
        "change": {
            "actions": actions,
            "before": before,
            "after": after,
            "after_unknown": after_unknown or {},
            "before_sensitive": {},
            "after_sensitive": after_sensitive or {},
            **({"replace_paths": replace_paths} if replace_paths else {}),
        },
    }


PLAN = {
    "resource_changes": [
        change("aws_vpc.main", ["create"], None, {"cidr_block": "10.0.0.0/16", "tags": {"Name": "x"}, "arn": None}, after_unknown={"arn": True}),
        change("aws_subnet.a", ["delete", "create"], {"cidr_block": "10.0.0.0/24"}, {"cidr_block": "10.0.1.0/24"}, replace_paths=[["cidr_block"]]),
        change("aws_s3_bucket.logs", ["delete"], {"bucket": "logs"}, None),
        change("aws_security_group_rule.ssh", ["create"], None, {"cidr_blocks": ["0.0.0.0/0"], "from_port": 22}),
        change("aws_cloudwatch_log_group.flow", ["update"], {"retention_in_days": 30}, {"retention_in_days": 60}),
        change("aws_db_instance.db", ["update"], {"password": "a"}, {"password": "b"}, after_sensitive={"password": True}),
        change("aws_vpc.unchanged", ["no-op"], {"a": 1}, {"a": 1}),
        {**change("data.aws_caller_identity.x", ["read"]), "mode": "data"},
    ],
}


def test_counts_cover_every_action():
    review = review_plan(PLAN, "dev")
    assert review.counts == {"create": 2, "update": 2, "replace": 1, "delete": 1}


def test_destructive_changes_are_listed_first_and_marked():
    review = review_plan(PLAN, "dev")
    assert [c.address for c in review.changes[:2]] == ["aws_subnet.a", "aws_s3_bucket.logs"]
    assert review.destructive and review.exit_code == EXIT_DESTRUCTIVE
    markdown = review.to_markdown()
    assert "**DESTRUCTIVE: 2 resource(s)" in markdown
    assert "- **REPLACE** `aws_subnet.a` (replacement forced by: cidr_block)" in markdown
    assert "- **DELETE** `aws_s3_bucket.logs`" in markdown
    assert markdown.index("Replaced and deleted") < markdown.index("Every change")


def test_a_plan_without_replace_or_delete_is_not_destructive():
    plan = {"resource_changes": [c for c in PLAN["resource_changes"] if c["change"]["actions"] in (["create"], ["update"])]}
    review = review_plan(plan, "dev")
    assert not review.destructive and review.exit_code == 0
    assert "**No destructive change:**" in review.to_markdown()


def test_security_sensitive_changes_are_called_out_with_the_reason():
    review = review_plan(PLAN, "dev")
    reasons = {c.address: c.security_reasons for c in review.security_sensitive}
    assert reasons == {"aws_security_group_rule.ssh": ["security group", "opens 0.0.0.0/0"]}


def test_changed_attributes_show_before_and_after_but_never_secrets():
    review = review_plan(PLAN, "dev")
    by_address = {c.address: c for c in review.changes}
    assert by_address["aws_cloudwatch_log_group.flow"].changed_attributes == ["retention_in_days: 30 → 60"]
    assert by_address["aws_db_instance.db"].changed_attributes == ["password: (sensitive) changed"]
    assert by_address["aws_vpc.main"].changed_attributes == ["cidr_block", "tags"]
    assert "'b'" not in review.to_markdown() and '"b"' not in json.dumps(review.to_json())


def test_machine_summary_mirrors_the_markdown(tmp_path):
    review = review_plan(PLAN, "dev")
    markdown, summary = review.write(tmp_path)
    data = json.loads(summary.read_text())
    assert markdown.name == "dev.md" and summary.name == "dev.json"
    assert data["destructive"] is True
    assert data["counts"] == review.counts
    assert [c["address"] for c in data["destructive_changes"]] == ["aws_subnet.a", "aws_s3_bucket.logs"]


def _configured(address: str, *attributes: str) -> dict:
    return {"address": address, "mode": "managed", "expressions": {a: {"constant_value": None} for a in attributes}}


def test_drift_the_plan_depends_on_is_reported_separately():
    plan = {
        "resource_drift": [
            change("aws_s3_bucket_versioning.v", ["update"], {"versioning_configuration": [{"status": "Enabled"}]}, {"versioning_configuration": [{"status": "Suspended"}]}),
            change("aws_s3_bucket_versioning.w", ["update"], {"versioning_configuration": [{"status": "Enabled"}]}, {"versioning_configuration": [{"status": "Suspended"}]}),
        ],
        "configuration": {"root_module": {"resources": [
            _configured("aws_s3_bucket_versioning.v", "versioning_configuration"), _configured("aws_s3_bucket_versioning.w", "versioning_configuration"),
        ]}},
        "relevant_attributes": [{"resource": "aws_s3_bucket_versioning.v", "attribute": ["versioning_configuration", 0, "status"]}],
    }
    review = review_plan(plan, "dev")
    assert [(c.address, c.changed_attributes) for c in review.drift] == [
        ("aws_s3_bucket_versioning.v", ["versioning_configuration[0].status: 'Enabled' → 'Suspended'"])
    ], "drift the plan does not depend on is make drift's business"
    assert "Changed outside Terraform (drift)" in review.to_markdown()


def test_a_review_after_a_clean_deploy_shows_no_drift():
    """Terraform lists normalisation as drift on every refresh; without relevant attributes nothing is shown."""
    plan = {"resource_drift": [change("aws_api_gateway_method.m", ["update"], {"authorization_scopes": None}, {"authorization_scopes": []})]}
    assert review_plan(plan, "dev").drift == []


# --- a MySQL major upgrade: the instance in place, its parameter group replaced (no data in it)

PARAMETER_GROUP = "aws_db_parameter_group.database_parameter-group_33D396C4"
INSTANCE = "aws_db_instance.database_instance_D7FC2283"
OLD_GROUP = "acme-database-dev-20260101000000000000000001"


def major_upgrade(parameter_group_actions=("create", "delete")):
    """What ``terraform show -json`` says of dev going from MySQL 8.0 to 8.4 (trimmed to what changes)."""
    return {
        "resource_changes": [
            change(
                INSTANCE,
                ["update"],
                {"identifier": "acme-database-dev", "engine_version": "8.0", "parameter_group_name": OLD_GROUP, "allow_major_version_upgrade": None},
                {"identifier": "acme-database-dev", "engine_version": "8.4", "parameter_group_name": None, "allow_major_version_upgrade": True},
                after_unknown={"parameter_group_name": True},
            ),
            change(
                PARAMETER_GROUP,
                list(parameter_group_actions),
                {"name": OLD_GROUP, "family": "mysql8.0", "description": "MySQL 8.0 parameters: TLS required"},
                {"name": None, "family": "mysql8.4", "description": "MySQL 8.4 parameters: TLS required"},
                replace_paths=[["family"], ["description"]],
                after_unknown={"name": True},
            ),
            change(
                "aws_db_event_subscription.database_events_parameter-group-events_B4C07F86",
                ["update"],
                {"source_ids": [OLD_GROUP]},
                {"source_ids": None},
                after_unknown={"source_ids": True},
            ),
        ]
    }


def test_a_major_upgrade_updates_the_instance_in_place_and_its_parameter_group_holds_no_data(tmp_path):
    review = review_plan(major_upgrade(), "dev")
    by_address = {c.address: c for c in review.changes}
    instance, group = by_address[INSTANCE], by_address[PARAMETER_GROUP]
    assert instance.action == "update" and not instance.destructive
    assert "engine_version: '8.0' → '8.4'" in instance.changed_attributes
    assert group.action == "replace" and group.replaced_because == ["description", "family"]
    assert group.holds_no_data and "holds no data" in group.holds_no_data and not group.destructive
    assert review.counts == {"create": 0, "update": 2, "replace": 1, "delete": 0}
    assert not review.destructive and review.exit_code == 0
    assert review.destructive_changes == [] and review.stateless_replacements == [group]
    markdown = review.to_markdown()
    assert "**No destructive change:** nothing that holds data is replaced or deleted." in markdown
    section = markdown.split("## Replaced, holding no data (not destructive)")[1].split("##")[0]
    assert f"- **REPLACE** `{PARAMETER_GROUP}` (replacement forced by: description, family)" in section and "holds no data" in section
    assert "None." in markdown.split("## Replaced and deleted (destructive)")[1].split("##")[0]
    _, summary = review.write(tmp_path)
    data = json.loads(summary.read_text())
    assert data["destructive"] is False and data["destructive_changes"] == []
    assert [c["address"] for c in data["stateless_replacements"]] == [PARAMETER_GROUP]


def test_a_parameter_group_replaced_destroy_first_is_still_destructive():
    """The reason holds only when the new group exists before the old one goes."""
    review = review_plan(major_upgrade(parameter_group_actions=("delete", "create")), "dev")
    assert review.destructive and [c.address for c in review.destructive_changes] == [PARAMETER_GROUP]
    assert review.stateless_replacements == []


def test_replacements_that_lose_data_stay_destructive_beside_one_that_holds_none():
    plan = major_upgrade()
    plan["resource_changes"] += [
        change(INSTANCE.replace("database_instance", "other_instance"), ["create", "delete"], {"engine": "mysql"}, {"engine": "postgres"}, replace_paths=[["engine"]]),
        change("aws_s3_bucket.data", ["create", "delete"], {"bucket": "a"}, {"bucket": "b"}, replace_paths=[["bucket"]]),
        change("aws_dynamodb_table.items", ["delete", "create"], {"name": "a"}, {"name": "b"}, replace_paths=[["name"]]),
        change("aws_db_parameter_group.retired", ["delete"], {"name": "old"}, None),
    ]
    review = review_plan(plan, "dev")
    assert review.destructive and review.exit_code == EXIT_DESTRUCTIVE
    assert {c.address for c in review.destructive_changes} == {
        "aws_db_instance.other_instance_D7FC2283", "aws_s3_bucket.data", "aws_dynamodb_table.items", "aws_db_parameter_group.retired",
    }
    assert [c.address for c in review.stateless_replacements] == [PARAMETER_GROUP]


def test_a_change_to_a_backup_vault_lock_is_security_sensitive():
    plan = {"resource_changes": [change("aws_backup_vault_lock_configuration.lock", ["update"], {"min_retention_days": 35}, {"min_retention_days": 7})]}
    (found,) = review_plan(plan, "prod").security_sensitive
    assert found.security_reasons == ["backup vault lock"]
