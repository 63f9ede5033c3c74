"""Stand in for the Lambda runtime: run a deployed package's handler on API Gateway proxy events, in this process.

``python -I ops/lambda_runner.py <package directory> <module.function>`` reads a JSON list of events on stdin,
calls the handler once per event in order (one warm instance, as Lambda reuses one), and writes a JSON list of
``{"request_id", "response"}`` on stdout. The caller (``ops/smoke.py``) starts it isolated (``-I``: no current
directory, no ``PYTHONPATH``) in an environment that holds only what Lambda would give the function: its configured
variables, its role's credentials, its region, and here the emulator's endpoint. It imports nothing of the project,
so the handler sees the package and the Python standard library and boto3, as in Lambda.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import uuid
from types import SimpleNamespace


def _context(request_id: str) -> SimpleNamespace:
    name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "")
    return SimpleNamespace(
        aws_request_id=request_id,
        function_name=name,
        function_version="$LATEST",
        memory_limit_in_mb=os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", ""),
        invoked_function_arn=os.environ.get("SMOKE_FUNCTION_ARN", ""),
        get_remaining_time_in_millis=lambda: 30_000,
    )


def main() -> int:
    package, handler_name = sys.argv[1], sys.argv[2]
    module_name, _, function_name = handler_name.rpartition(".")
    sys.path.insert(0, package)
    handler = getattr(importlib.import_module(module_name), function_name)
    results = []
    for event in json.load(sys.stdin):
        request_id = str(uuid.uuid4())
        event.setdefault("requestContext", {})["requestId"] = request_id
        results.append({"request_id": request_id, "response": handler(event, _context(request_id))})
    json.dump(results, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
