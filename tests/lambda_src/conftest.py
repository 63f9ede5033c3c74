"""Moto's in-process DynamoDB and S3 for the /data handler: one per test, or one per module.

botocore clients are slow to build (~0.1 s each), so the tests' clients and the handler's cached
ones are built once and reused: moto's stub sits in every client built after moto is imported and
is active only inside ``mock_aws``, which starts each test from empty backends.
"""

from __future__ import annotations

from functools import cache

import boto3
import pytest
from moto import mock_aws

from lambda_src.data_api import handler as data_api
from tests.lambda_src.support import BUCKET, ENVIRONMENT, TABLE, AwsSession


@cache
def _clients() -> AwsSession:
    return AwsSession(dynamodb=boto3.client("dynamodb"), s3=boto3.client("s3"))


def _start(monkeypatch: pytest.MonkeyPatch) -> AwsSession:
    for name, value in ENVIRONMENT.items():
        monkeypatch.setenv(name, value)
    session = _clients()
    session.dynamodb.create_table(
        TableName=TABLE,
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    session.s3.create_bucket(Bucket=BUCKET)
    return session


@pytest.fixture(scope="package", autouse=True)
def _forget_cached_clients():
    """No client built under moto outlives these tests."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        for name, value in ENVIRONMENT.items():
            monkeypatch.setenv(name, value)
        data_api._dynamodb.cache_clear()
        data_api._s3.cache_clear()
        yield
        data_api._dynamodb.cache_clear()
        data_api._s3.cache_clear()
        _clients.cache_clear()


@pytest.fixture
def aws(monkeypatch):
    with mock_aws():
        yield _start(monkeypatch)


@pytest.fixture(scope="module")
def shared_aws():
    """One mock session for many hypothesis examples (which share a module-scoped fixture)."""
    with pytest.MonkeyPatch.context() as monkeypatch, mock_aws():
        yield _start(monkeypatch)
