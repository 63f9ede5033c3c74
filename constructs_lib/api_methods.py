"""The methods of ``/data``, created inside the :class:`~constructs_lib.api.Api` construct.

GET and POST proxy to the data function, each behind the environment's
authorizer (``constructs_lib/api_access.py``), requiring an API key and
validated before the function runs (GET needs ``id``; POST needs a JSON body
that matches the item model). OPTIONS answers CORS preflights without a key
(browsers send none), echoing the origin only when it is one of the
configured origins.
"""

from __future__ import annotations

from collections.abc import Sequence

from constructs import Construct

from constructs_lib.api_access import MethodAuthorization
from constructs_lib.api_model import CORS_HEADERS, cors_preflight_template
from constructs_lib.context import StackScope
from synth_runtime.provider_bindings import aws


def data_methods(
    api: Construct,
    where: StackScope,
    *,
    api_id: str,
    execution_arn: str,
    resource_id: str,
    function_name: str,
    function_invoke_arn: str,
    parameters_validator_id: str,
    body_validator_id: str,
    item_model_name: str,
    authorization: MethodAuthorization,
) -> list[str]:
    """GET and POST ``/data``, their Lambda proxy integrations and invoke permissions. Returns the ids a
    redeployment must follow."""
    parts: list[str] = []
    for method, extra in (
        (
            "GET",
            {
                "request_parameters": {"method.request.querystring.id": True},
                "request_validator_id": parameters_validator_id,
            },
        ),
        (
            "POST",
            {"request_models": {"application/json": item_model_name}, "request_validator_id": body_validator_id},
        ),
    ):
        resource_method = aws.api_gateway_method.ApiGatewayMethod(
            api,
            f"{method.lower()}-method",
            rest_api_id=api_id,
            resource_id=resource_id,
            http_method=method,
            authorization=authorization.authorization,
            authorizer_id=authorization.authorizer_id,
            api_key_required=True,
            **extra,
        )
        integration = aws.api_gateway_integration.ApiGatewayIntegration(
            api,
            f"{method.lower()}-integration",
            rest_api_id=api_id,
            resource_id=resource_id,
            http_method=resource_method.http_method,
            type="AWS_PROXY",
            integration_http_method="POST",
            uri=function_invoke_arn,
        )
        aws.lambda_permission.LambdaPermission(
            api,
            f"{method.lower()}-permission",
            statement_id=f"AllowApiGateway{method.capitalize()}Data",
            action="lambda:InvokeFunction",
            function_name=function_name,
            principal="apigateway.amazonaws.com",
            source_account=where.account_id,
            source_arn=f"{execution_arn}/{where.names.environment}/{method}/data",
        )
        parts += [resource_method.id, integration.id]
    return parts


def cors_preflight(api: Construct, api_id: str, resource_id: str, validator_id: str, origins: Sequence[str]) -> list[str]:
    """OPTIONS /data: a mock answer with the CORS headers; open, since browsers send no key."""
    method = aws.api_gateway_method.ApiGatewayMethod(
        api,
        "options-method",
        rest_api_id=api_id,
        resource_id=resource_id,
        http_method="OPTIONS",
        authorization="NONE",
        api_key_required=False,
        request_validator_id=validator_id,
    )
    integration = aws.api_gateway_integration.ApiGatewayIntegration(
        api,
        "options-integration",
        rest_api_id=api_id,
        resource_id=resource_id,
        http_method=method.http_method,
        type="MOCK",
        request_templates={"application/json": '{"statusCode": 200}'},
    )
    response = aws.api_gateway_method_response.ApiGatewayMethodResponse(
        api,
        "options-response",
        rest_api_id=api_id,
        resource_id=resource_id,
        http_method=method.http_method,
        status_code="200",
        response_parameters={f"method.response.header.{header}": True for header in CORS_HEADERS},
    )
    aws.api_gateway_integration_response.ApiGatewayIntegrationResponse(
        api,
        "options-integration-response",
        rest_api_id=api_id,
        resource_id=resource_id,
        http_method=method.http_method,
        status_code=response.status_code,
        response_parameters={
            "method.response.header.Access-Control-Allow-Headers": "'Authorization,Content-Type,X-Amz-Date,X-Amz-Security-Token,X-Api-Key'",
            "method.response.header.Access-Control-Allow-Methods": "'GET,POST,OPTIONS'",
        },
        response_templates={"application/json": cors_preflight_template(origins)},
        depends_on=[integration],
    )
    return [method.id, integration.id]

