"""Service knowledge: one JSON file per service under `configs/`, validated by pydantic.

A service config tells sre-agent what a service does (its RPC methods and their common
errors), which log lines mean trouble (error patterns), what to do about it (debugging
scenarios), which log fields to keep or drop, which extra secrets to redact, and which words
users say for the things its logs name (vocabulary, used to expand questions).

`load_service_config(path)` loads one; a bad file raises `ConfigError` naming the file and the
field. The engine reads the folder with `config_folder.load_config_folder`, which skips a bad file
(with that line) instead of failing; `load_service_configs(dir)` is the strict whole-folder load.
"""

from __future__ import annotations

import fnmatch
import json
import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from sre_agent.errors import ConfigError


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RpcMethod(_Strict):
    """One RPC method of the service."""

    name: str = Field(min_length=1)
    description: str = ""
    common_errors: list[str] = Field(default_factory=list)


def _check_regex(v: str) -> str:
    try:
        re.compile(v)
    except re.error as exc:
        raise ValueError(f"not a valid regular expression: {exc}") from exc
    return v


class ErrorPattern(_Strict):
    """A regex over messages that marks a known kind of trouble."""

    name: str = Field(min_length=1)
    pattern: str = Field(min_length=1, description="Python regex, matched case-insensitively")
    meaning: str = ""
    severity: str = "ERROR"

    _v = field_validator("pattern")(_check_regex)


class DebuggingScenario(_Strict):
    """What an experienced engineer checks when a symptom shows up."""

    name: str = Field(min_length=1)
    symptoms: list[str] = Field(default_factory=list, description="words or phrases that point here")
    steps: list[str] = Field(default_factory=list)


class LogFields(_Strict):
    """Which record fields to keep (empty: all) and which to drop, applied by the clean step."""

    keep: list[str] = Field(default_factory=list)
    drop: list[str] = Field(default_factory=list)


class RedactionPattern(_Strict):
    """An extra secret shape of this service, replaced before anything is stored or embedded."""

    name: str = Field(min_length=1)
    pattern: str = Field(min_length=1)
    replacement: str = "[REDACTED]"

    _v = field_validator("pattern")(_check_regex)


class AdminParam(_Strict):
    """A typed parameter of an admin endpoint: checked before any request is made."""

    name: str = Field(min_length=1, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    type: Literal["string", "integer", "boolean"] = "string"
    pattern: str | None = Field(default=None, description="regex a string value must match in full")
    description: str = ""

    @field_validator("pattern")
    @classmethod
    def _pattern(cls, value: str | None) -> str | None:
        return _check_regex(value) if value is not None else None


class AdminEndpoint(_Strict):
    """One read-only endpoint: GET `path` (a template such as /users/{user_id}) of the admin API."""

    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.-]+$")
    description: str = ""
    path: str = Field(min_length=1, pattern=r"^/")
    params: list[AdminParam] = Field(default_factory=list, description="path and query parameters")
    keep: list[str] = Field(default_factory=list, description="response fields to keep (dotted); empty: all")

    def path_params(self) -> list[str]:
        return re.findall(r"{(\w+)}", self.path)

    @model_validator(mode="after")
    def _path_params_declared(self) -> AdminEndpoint:
        missing = set(self.path_params()) - {p.name for p in self.params}
        if missing:
            raise ValueError(f"path {self.path!r} uses {sorted(missing)} not declared in params")
        return self


class AdminApi(_Strict):
    """The service's admin API: where it is (from the environment), how to authenticate, what may be
    called. Only the declared endpoints, only GET."""

    base_url_env: str = Field(min_length=1, description="env var with the base URL, e.g. ADMIN_URL")
    auth_header: str = "Authorization"
    auth_env: str | None = Field(default=None, description="env var with the header's value (a token)")
    auth_prefix: str = "Bearer "
    timeout: float = Field(default=5.0, gt=0, le=60)
    max_bytes: int = Field(default=65_536, ge=1_024, le=5_000_000)
    endpoints: list[AdminEndpoint] = Field(min_length=1)

    def endpoint(self, name: str) -> AdminEndpoint | None:
        return next((e for e in self.endpoints if e.name == name), None)


class KeyAttribute(_Strict):
    """A key attribute of a DynamoDB table or index: its name and type (S string, N number)."""

    name: str = Field(min_length=1, max_length=255)
    type: Literal["S", "N"] = "S"


class DynamoIndex(_Strict):
    name: str = Field(min_length=1, max_length=255)
    partition_key: KeyAttribute
    sort_key: KeyAttribute | None = None


class DynamoTable(_Strict):
    """A table the agent may read, with its key schema (so keys are typed before any request)."""

    name: str = Field(min_length=1, max_length=255)
    description: str = ""
    partition_key: KeyAttribute
    sort_key: KeyAttribute | None = None
    indexes: list[DynamoIndex] = Field(default_factory=list)
    max_items: int = Field(default=25, ge=1, le=100, description="most items one Query or Scan returns")


class DynamoConfig(_Strict):
    """The service's DynamoDB tables the agent may read (GetItem, Query, a small Scan; no writes)."""

    region: str | None = Field(default=None, description="default: AWS_REGION / the AWS config")
    endpoint_url_env: str | None = Field(default=None, description="env var with an endpoint (VPC, local)")
    tables: list[DynamoTable] = Field(min_length=1)

    def table(self, name: str) -> DynamoTable | None:
        return next((t for t in self.tables if t.name == name), None)


class HttpLogstoreConfig(_Strict):
    """A logstore API like the seed's: GET `path` with the query as parameters, records at a JSON path."""

    kind: Literal["http"]
    base_url_env: str = Field(min_length=1, description="env var with the base URL")
    path: str = Field(default="/logs", pattern=r"^/")
    auth_header: str = "Authorization"
    auth_env: str | None = None
    auth_prefix: str = "Bearer "
    params: dict[str, str] = Field(
        default_factory=lambda: {
            "method": "method",
            "user_id": "user_id",
            "request_id": "request_id",
            "environment": "env",
            "start": "start",
            "end": "end",
            "limit": "limit",
        },
        description="our query field -> the API's parameter (method, user_id, request_id, environment, "
        "level, text, start, end, limit); start/end are sent as ISO-8601",
    )
    records_path: str = Field(default="records", description="dotted path to the list of records")
    pagination: Literal["none", "cursor", "page"] = "none"
    cursor_field: str = Field(default="next_cursor", description="dotted path to the next cursor")
    cursor_param: str = "cursor"
    page_param: str = "page"
    max_pages: int = Field(default=20, ge=1, le=1000)
    timeout: float = Field(default=10.0, gt=0, le=120)
    max_bytes: int = Field(default=20_000_000, ge=10_000, description="largest page read")


class LokiLogstoreConfig(_Strict):
    """Grafana Loki: `query_range` with LogQL built from the query (stream labels from here)."""

    kind: Literal["loki"]
    base_url_env: str = Field(min_length=1)
    labels: dict[str, str] = Field(
        min_length=1, description='stream selector, e.g. {"app": "membership", "env": "{environment}"}'
    )
    auth_header: str = "Authorization"
    auth_env: str | None = None
    auth_prefix: str = "Bearer "
    tenant_env: str | None = Field(default=None, description="env var with X-Scope-OrgID")
    timeout: float = Field(default=10.0, gt=0, le=120)
    max_bytes: int = Field(default=20_000_000, ge=10_000, description="largest answer read")


class CloudWatchLogstoreConfig(_Strict):
    """AWS CloudWatch Logs: FilterLogEvents over the log groups named here."""

    kind: Literal["cloudwatch"]
    log_groups: list[str] = Field(min_length=1, description="may contain {environment}")
    region: str | None = None
    endpoint_url_env: str | None = None
    max_pages: int = Field(default=10, ge=1, le=100)


#: Our record fields a config's `fields` may give the source's own names for.
OUR_FIELDS = ("level", "service", "method", "request_id", "user_id", "host", "env", "message", "timestamp")
_GLOB_CHARS = re.compile(r"^[A-Za-z0-9_.:/@*?\[\]!-]+$")


def check_log_name(value: str) -> str:
    """A service name as logs carry it: an exact name or a shell-style glob (`membership-*`)."""
    if not value or value != value.strip():
        raise ValueError(f"{value!r}: empty, or with spaces around it")
    if not _GLOB_CHARS.match(value):
        raise ValueError(f"{value!r}: only letters, digits, _ . : / @ - and the glob characters * ? [ ] !")
    if value.strip("*?") == "":
        raise ValueError(f"{value!r}: a glob of only wildcards would match every service")
    depth = 0
    for ch in value:
        depth += ch == "["
        depth -= ch == "]"
        if depth not in (0, 1):
            raise ValueError(f"{value!r}: not a valid glob: unbalanced '[' ']'")
    if depth or "[]" in value or "[!]" in value:
        raise ValueError(f"{value!r}: not a valid glob: unbalanced or empty '[' ']'")
    re.compile(fnmatch.translate(value))
    return value


class FieldAliases(_Strict):
    """The source's own names for our record fields, tried before the usual spellings."""

    level: list[str] = Field(default_factory=list)
    service: list[str] = Field(default_factory=list)
    method: list[str] = Field(default_factory=list)
    request_id: list[str] = Field(default_factory=list)
    user_id: list[str] = Field(default_factory=list)
    host: list[str] = Field(default_factory=list)
    env: list[str] = Field(default_factory=list)
    message: list[str] = Field(default_factory=list)
    timestamp: list[str] = Field(default_factory=list)

    @field_validator("*")
    @classmethod
    def _names(cls, names: list[str]) -> list[str]:
        for name in names:
            if not name.strip():
                raise ValueError("an empty field name")
        return names

    def mapping(self) -> dict[str, list[str]]:
        """Our field -> the source's names for it, only the fields given."""
        return {k: v for k, v in self.model_dump().items() if v}


LogstoreConfig = Annotated[
    HttpLogstoreConfig | LokiLogstoreConfig | CloudWatchLogstoreConfig, Field(discriminator="kind")
]


class ServiceConfig(_Strict):
    """Everything sre-agent knows about one service."""

    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.-]+$")
    description: str = ""
    environments: list[str] = Field(default_factory=lambda: ["prod", "staging", "dev"])
    methods: list[RpcMethod] = Field(default_factory=list)
    error_patterns: list[ErrorPattern] = Field(default_factory=list)
    debugging_scenarios: list[DebuggingScenario] = Field(default_factory=list)
    log_fields: LogFields = Field(default_factory=LogFields)
    redaction_patterns: list[RedactionPattern] = Field(default_factory=list)
    vocabulary: dict[str, list[str]] = Field(
        default_factory=dict,
        description="what users say -> the words the logs use, e.g. 'storage node' -> ['datanode']",
    )
    log_names: list[Annotated[str, AfterValidator(check_log_name)]] = Field(
        default_factory=list,
        description="names the service carries in logs besides its own: exact or globs, e.g. membership-*",
    )
    fields: FieldAliases = Field(
        default_factory=FieldAliases,
        description="our field -> the log's own field names, e.g. user_id -> [customer, member_id]",
    )
    max_message_chars: int = Field(default=4000, ge=200, le=100_000)
    admin_api: AdminApi | None = None
    logstore: LogstoreConfig | None = None
    dynamodb: DynamoConfig | None = None

    def method_names(self) -> list[str]:
        return [m.name for m in self.methods]

    def service_names(self) -> list[str]:
        """Every name (and glob) records of this service may carry in their service field."""
        return [self.name, *(n for n in self.log_names if n != self.name)]


def _format_validation_error(path: Path, exc: ValidationError) -> str:
    first = exc.errors()[0]
    loc = ".".join(str(p) for p in first["loc"]) or "(top level)"
    more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
    msg = first["msg"].removeprefix("Value error, ")
    if first["type"] == "extra_forbidden" and first["loc"][:1] == ("fields",):
        msg = f"not a field we know (ours: {', '.join(OUR_FIELDS)})"
    return f"{path}: field '{loc}': {msg}{more}"


def load_service_config(path: Path) -> ServiceConfig:
    """Load and validate one config file; raise ConfigError naming the file and the field."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{path}:{exc.lineno}: invalid JSON: {exc.msg}") from None
    try:
        return ServiceConfig.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(_format_validation_error(path, exc)) from None


def load_service_configs(directory: Path) -> dict[str, ServiceConfig]:
    """Load every `*.json` in `directory`, keyed by service name. A missing folder gives {}."""
    configs: dict[str, ServiceConfig] = {}
    if not directory.is_dir():
        return configs
    for path in sorted(directory.glob("*.json")):
        cfg = load_service_config(path)
        if cfg.name in configs:
            raise ConfigError(f"{path}: field 'name': service '{cfg.name}' is defined twice")
        configs[cfg.name] = cfg
    return configs
