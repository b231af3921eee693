"""The boto3 client every AWS connector uses: region and endpoint from config and environment,
a connect/read timeout, botocore's standard retries (3 attempts, backoff), and a session of its
own so credentials are looked up when the client is made, not taken from a process-wide cache."""

from __future__ import annotations

import os
from typing import Any


def aws_client(service: str, *, region: str | None, endpoint_url_env: str | None, read_timeout: float) -> Any:
    import boto3
    from botocore.config import Config

    endpoint = os.environ.get(endpoint_url_env) if endpoint_url_env else None
    return boto3.session.Session().client(
        service,
        region_name=region or os.environ.get("AWS_REGION") or "us-east-1",
        endpoint_url=endpoint or None,
        config=Config(
            connect_timeout=3, read_timeout=read_timeout, retries={"max_attempts": 3, "mode": "standard"}
        ),
    )
