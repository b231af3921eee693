"""Shared deployments: the session tables on S3 (moto's server on 127.0.0.1, real HTTP), set by
SRE_AGENT_LANCEDB_URI=s3://… and SRE_AGENT_LANCEDB_STORAGE_OPTIONS."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from datetime import UTC, datetime

import boto3
import pytest
from moto.server import ThreadedMotoServer
from paths import ROOT

THROTTLING = ROOT / "incidents" / "membership-dynamodb-throttling" / "logs.jsonl"


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    ).create_bucket(Bucket="sre-agent")
    yield endpoint
    server.stop()


def test_threads_live_in_s3_and_follow_ups_reuse_them(
    s3_endpoint: str, settings, embedder, monkeypatch
) -> None:
    from sre_agent.engine import Engine
    from sre_agent.settings import Settings

    monkeypatch.setenv("SRE_AGENT_LANCEDB_URI", "s3://sre-agent/tables")
    monkeypatch.setenv(
        "SRE_AGENT_LANCEDB_STORAGE_OPTIONS",
        json.dumps(
            {
                "aws_endpoint": s3_endpoint,
                "allow_http": "true",
                "aws_region": "us-east-1",
                "aws_access_key_id": "test",
                "aws_secret_access_key": "test",
            }
        ),
    )
    s3_settings = Settings(data_dir=settings.data_dir, configs_dir=settings.configs_dir)
    assert s3_settings.lancedb_uri == "s3://sre-agent/tables"
    assert "******" in s3_settings.masked()["lancedb_storage_options"]
    assert "'aws_secret_access_key': 'test'" not in s3_settings.masked()["lancedb_storage_options"]

    now = datetime(2024, 3, 12, 14, 40, tzinfo=UTC)
    engine = Engine(s3_settings, embedder=embedder)
    first = asyncio.run(
        engine.search(
            "are we being rate limited?", session="C1-1700.1", logs=THROTTLING, service="membership", now=now
        )
    )
    assert first.new == 2482
    objects = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    ).list_objects_v2(Bucket="sre-agent", Prefix="tables/")
    assert objects["KeyCount"] > 0  # the tables really are in the bucket

    # Another process (a second engine) sees the same thread and searches it without fetching.
    other = Engine(s3_settings, embedder=embedder)
    assert "C1-1700.1" in other.store.list_sessions()
    follow_up = asyncio.run(
        other.search("which table was throttled?", session="C1-1700.1", service="membership", now=now)
    )
    assert any("ProvisionedThroughputExceededException" in x.message for x in follow_up.lines)
    other.drop_session("C1-1700.1")
    assert "C1-1700.1" not in engine.store.list_sessions()
