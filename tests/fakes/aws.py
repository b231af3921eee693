"""moto's server on 127.0.0.1 (real HTTP, real boto3 on the other side) and clients for it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import boto3
from moto.server import ThreadedMotoServer


@contextmanager
def moto_endpoint() -> Iterator[str]:
    """A moto server for the duration; yields its endpoint URL."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


def client(service: str, endpoint: str) -> Any:
    """A boto3 client of `service` on the moto server (fake credentials, us-east-1)."""
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="t",
        aws_secret_access_key="t",
    )


def create_memberships_table(ddb: Any) -> None:
    """The membership service's DynamoDB table (district_id, user_id), with its user_id index, as
    configs/membership.json describes it; empty."""
    ddb.create_table(
        TableName="memberships",
        KeySchema=[
            {"AttributeName": "district_id", "KeyType": "HASH"},
            {"AttributeName": "user_id", "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": "district_id", "AttributeType": "N"},
            {"AttributeName": "user_id", "AttributeType": "N"},
        ],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "user_id-index",
                "KeySchema": [
                    {"AttributeName": "user_id", "KeyType": "HASH"},
                    {"AttributeName": "district_id", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
        BillingMode="PAY_PER_REQUEST",
    )
