"""Who may call the API: its resource policy and its methods' authorizer, from the environment's ``[api]``.

Three gates stand in front of ``GET`` and ``POST /data``, and a request must pass all of them:

* **The network**: the resource policy allows ``execute-api:Invoke`` only from ``api.allowed_ingress_cidrs``
  (``aws:SourceIp``) and denies every other source.
* **The caller**: with ``authorizer = "iam"`` (the default) the methods use ``AWS_IAM``: a request must be signed
  (SigV4), and the resource policy allows only ``api.invoke_principals`` and denies every other principal
  (``aws:PrincipalArn``), so neither another account nor a principal of this one that happens to hold
  ``execute-api:Invoke`` gets in. With ``authorizer = "cognito"``, a ``COGNITO_USER_POOLS`` authorizer accepts
  tokens of ``api.cognito_user_pool_arns`` only.
* **The client's key**: the API key stays required, for the usage plan's throttle and quota. AWS is plain that a
  key identifies a client; it does not authorize one.

``OPTIONS /data`` (the CORS preflight, which browsers send unsigned and without a key) passes the network gate only.
"""

from __future__ import annotations

from dataclasses import dataclass

from constructs import Construct

from constructs_lib.context import StackScope
from constructs_lib.iam_documents import policy_document, statement
from environments.workload_schema import ApiConfig
from synth_runtime.provider_bindings import aws

AUTHORIZED_METHODS = ("GET", "POST")
"""The methods behind an authorizer; OPTIONS (the preflight) is the one that is not."""

AUTHORIZATION_TYPES = {"iam": "AWS_IAM", "cognito": "COGNITO_USER_POOLS"}
"""``api.authorizer`` -> the methods' ``authorization``."""


@dataclass(frozen=True)
class MethodAuthorization:
    """What GET and POST carry: ``authorization``, and the authorizer's id for Cognito."""

    authorization: str
    authorizer_id: str | None = None


def principal_arns(where: StackScope, settings: ApiConfig) -> list[str]:
    """``api.invoke_principals`` as ARNs: a bare name is a role of the environment's account."""
    return [p if p.startswith("arn:") else f"arn:{where.partition}:iam::{where.account_id}:role/{p}" for p in settings.invoke_principals]


def method_authorization(scope: Construct, settings: ApiConfig, api_id: str) -> MethodAuthorization:
    """The authorization of GET and POST; for Cognito, the authorizer too."""
    if settings.authorizer != "cognito":
        return MethodAuthorization(AUTHORIZATION_TYPES[settings.authorizer])
    authorizer = aws.api_gateway_authorizer.ApiGatewayAuthorizer(
        scope,
        "cognito-authorizer",
        rest_api_id=api_id,
        name="cognito",
        type="COGNITO_USER_POOLS",
        provider_arns=list(settings.cognito_user_pool_arns),
        identity_source="method.request.header.Authorization",
    )
    return MethodAuthorization(AUTHORIZATION_TYPES["cognito"], authorizer.id)


def resource_policy(scope: Construct, where: StackScope, settings: ApiConfig, execution_arn: str) -> str:
    """The API's resource policy (JSON, a token): the network gate, and with ``iam`` the principal gate."""
    cidrs = list(settings.allowed_ingress_cidrs)
    everything = [f"{execution_arn}/*"]
    authorized = [f"{execution_arn}/*/{method}/data" for method in AUTHORIZED_METHODS]
    anyone = {"AWS": ["*"]}
    statements = []
    if settings.authorizer == "iam":
        principals = principal_arns(where, settings)
        statements += [
            statement(
                "InvokeByTheListedPrincipals",
                actions=["execute-api:Invoke"],
                resources=authorized,
                principals={"AWS": principals},
                conditions=[("IpAddress", "aws:SourceIp", cidrs)],
            ),
            statement(
                "PreflightFromAllowedNetworks",
                actions=["execute-api:Invoke"],
                resources=[f"{execution_arn}/*/OPTIONS/data"],
                principals=anyone,
                conditions=[("IpAddress", "aws:SourceIp", cidrs)],
            ),
            statement(
                "DenyEveryOtherPrincipal",
                effect="Deny",
                actions=["execute-api:Invoke"],
                resources=authorized,
                principals=anyone,
                conditions=[("ArnNotLike", "aws:PrincipalArn", principals)],
            ),
        ]
    else:
        statements.append(
            statement("InvokeFromAllowedNetworks", actions=["execute-api:Invoke"], resources=everything, principals=anyone, conditions=[("IpAddress", "aws:SourceIp", cidrs)])
        )
    statements.append(
        statement("DenyEveryOtherNetwork", effect="Deny", actions=["execute-api:Invoke"], resources=everything, principals=anyone, conditions=[("NotIpAddress", "aws:SourceIp", cidrs)])
    )
    return policy_document(scope, "resource-policy-document", statements)
