"""Authorization: a session assumed as ``platform-smoke...`` is authorized as on AWS; any other caller as before."""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Mapping
from typing import Any

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
