"""IAM policy documents, always through Terraform's ``aws_iam_policy_document`` data source.

No construct writes policy JSON by hand: the data source renders it, checks its
shape at plan time, and keeps statements diffable in the plan review. The
helpers here only shorten the typing of the binding's statement classes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from constructs import Construct

from synth_runtime.provider_bindings import aws

Conditions = Sequence[tuple[str, str, Sequence[str]]]
"""``(test, variable, values)`` triples, e.g. ``("StringEquals", "aws:SourceAccount", [account])``."""


def statement(
    sid: str,
    *,
    actions: Sequence[str] | None = None,
    not_actions: Sequence[str] | None = None,
    resources: Sequence[str] | None = None,
    not_resources: Sequence[str] | None = None,
    principals: Mapping[str, Sequence[str]] | None = None,
    conditions: Conditions = (),
    effect: str = "Allow",
):
    """One policy statement. ``principals`` maps a principal type (``AWS``, ``Service``) to identifiers.

    A literal IAM policy variable is written ``$${aws:username}``: Terraform would
    otherwise read ``${...}`` as its own interpolation.
    """
    doc = aws.data_aws_iam_policy_document
    return doc.DataAwsIamPolicyDocumentStatement(
        sid=sid,
        effect=effect,
        actions=list(actions) if actions is not None else None,
        not_actions=list(not_actions) if not_actions is not None else None,
        resources=list(resources) if resources is not None else None,
        not_resources=list(not_resources) if not_resources is not None else None,
        principals=[
            doc.DataAwsIamPolicyDocumentStatementPrincipals(type=kind, identifiers=list(ids))
            for kind, ids in (principals or {}).items()
        ]
        or None,
        condition=[
            doc.DataAwsIamPolicyDocumentStatementCondition(test=test, variable=variable, values=list(values))
            for test, variable, values in conditions
        ]
        or None,
    )


def policy_document(scope: Construct, construct_id: str, statements: Sequence) -> str:
    """Render the statements through a data source; returns the JSON (a token) for a policy argument."""
    document = aws.data_aws_iam_policy_document.DataAwsIamPolicyDocument(
        scope, construct_id, statement=list(statements)
    )
    return document.json


def service_assume_role_policy(
    scope: Construct, construct_id: str, *, service: str, account_id: str | None, source_arn: str | None = None
) -> str:
    """A trust policy that lets one AWS service assume a role, only on behalf of this account
    (and of one source ARN) where the service sets those keys."""
    conditions: list[tuple[str, str, Sequence[str]]] = []
    if account_id is not None:
        conditions.append(("StringEquals", "aws:SourceAccount", [account_id]))
    if source_arn is not None:
        conditions.append(("ArnLike", "aws:SourceArn", [source_arn]))
    return policy_document(
        scope,
        construct_id,
        [
            statement(
                "AllowServiceToAssumeRole",
                actions=["sts:AssumeRole"],
                principals={"Service": [service]},
                conditions=conditions,
            )
        ],
    )
