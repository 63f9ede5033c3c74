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
