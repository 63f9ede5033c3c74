"""The state-bucket check (``ops/bootstrap.py``) turns every answer it cannot use into one clear error naming the
bucket, the environment file and what to check: never a traceback from the thread it runs on."""

from __future__ import annotations

import botocore.exceptions
import pytest

import ops.bootstrap as bootstrap
from platform_core.errors import PipelineError
from platform_core.target import DeployTarget


class FailingS3:
    def __init__(self, error: Exception) -> None:
        self.error = error

    def head_bucket(self, Bucket: str) -> None:  # noqa: N803 - boto3's keyword
        raise self.error


@pytest.mark.parametrize(
    ("error", "says"),
    [
        (botocore.exceptions.ClientError({"Error": {"Code": "404"}}, "HeadBucket"), None),
        (botocore.exceptions.ClientError({"Error": {"Code": "403"}}, "HeadBucket"), "belongs to someone else"),
        (botocore.exceptions.ClientError({"Error": {"Code": "500", "Message": "InternalError"}}, "HeadBucket"), "could not be checked"),
        (botocore.exceptions.EndpointConnectionError(endpoint_url="https://s3.example"), "check the network"),
    ],
)
def test_every_answer_of_the_bucket_check_is_a_result_or_a_clear_error(configs, monkeypatch, error, says):
    monkeypatch.setattr(bootstrap, "AwsClients", lambda *args: type("Clients", (), {"client": lambda self, service: FailingS3(error)})())
    dev = configs["dev"]
    if says is None:
        assert bootstrap.missing_state_buckets([dev], DeployTarget(kind="emulator")) == [(dev, [])], "a missing bucket is missing"
        return
    with pytest.raises(PipelineError) as raised:
        bootstrap.missing_state_buckets([dev], DeployTarget(kind="emulator"))
    assert says in str(raised.value) and dev.state.bucket in str(raised.value) and dev.source_file in str(raised.value)
