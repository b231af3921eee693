# sre-agent: the CLI (and later the Slack bot) with its embedded defaults.
# Data (LanceDB tables, model cache) lives in /data; mount a volume there to keep it.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    HF_HUB_OFFLINE=1 \
    SRE_AGENT_DATA_DIR=/data \
    SRE_AGENT_CONFIGS_DIR=/app/configs

WORKDIR /app
COPY requirements.txt pyproject.toml README.md LICENSE ./
RUN pip install -r requirements.txt
COPY sre_agent ./sre_agent
COPY configs ./configs
COPY incidents ./incidents
RUN pip install --no-deps . && useradd --create-home sre && mkdir -p /data && chown sre /data
USER sre
VOLUME ["/data"]
ENTRYPOINT ["sre-agent"]
CMD ["--help"]
