"""The configs folder as the engine reads it: every valid `*.json`, and one line for each one that
is not.

One broken config must not stop questions about the services it does not describe, nor the bot.
So a file that fails validation (bad JSON, an unknown field, a bad regex, a service name another
file already took) is skipped, and what was skipped is said where a user sees it: one warning line
in answers and searches, a `fail` row in `sre-agent doctor`, a line in the bot's banner. Asking
about the skipped service itself (`--service NAME`, SRE_AGENT_BOT_SERVICE) is still an error naming
the file and the field (`Engine.config`).
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, Field

from sre_agent.configs import ServiceConfig, load_service_config
from sre_agent.errors import ConfigError, InputError


class SkippedConfig(BaseModel):
    """A config file that was not loaded, and why."""

    path: Path
    service: str = Field(description="the service name the file gives, else its file name without .json")
    problem: str = Field(description="one line naming the file and the field: what is wrong")

    def warning(self) -> str:
        """The one line users see wherever the configs are used."""
        return (
            f"skipped the config {self.problem}; questions about {self.service} get none of its "
            "knowledge until it is fixed (`sre-agent doctor` lists it)"
        )


class ConfigFolder(BaseModel):
    """The loaded configs of `directory` by service name, and the files skipped."""

    directory: Path
    configs: dict[str, ServiceConfig] = Field(default_factory=dict)
    skipped: list[SkippedConfig] = Field(default_factory=list)

    def skipped_for(self, service: str) -> SkippedConfig | None:
        """The skipped file that would have configured `service`, if one did."""
        return next((s for s in self.skipped if s.service == service), None)

    def config(self, service: str | None) -> ServiceConfig | None:
        """The config of `service` (None: none). An unknown service, or one whose file was skipped
        as invalid, is an error (exit 2) naming the folder, or the file and the field."""
        if service is None:
            return None
        if service in self.configs:
            return self.configs[service]
        skipped = self.skipped_for(service)
        if skipped is not None:
            raise ConfigError(f"--service: the config of '{service}' is invalid: {skipped.problem}")
        if not self.directory.is_dir():
            raise InputError(
                f"--service: the configs folder {self.directory}/ does not exist here; "
                "run from the repository or set SRE_AGENT_CONFIGS_DIR"
            )
        known = ", ".join(sorted(self.configs)) or "none"
        raise InputError(f"--service: no config named '{service}' in {self.directory}/ (known: {known})")


def _name_in(path: Path) -> str:
    """The `name` a (possibly invalid) config file gives, else its file name without `.json`."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return path.stem
    name = raw.get("name") if isinstance(raw, dict) else None
    return name.strip() if isinstance(name, str) and name.strip() else path.stem


def load_config_folder(directory: Path) -> ConfigFolder:
    """Every `*.json` of `directory` that validates; the others skipped with their problem. A
    missing folder gives an empty `ConfigFolder`."""
    folder = ConfigFolder(directory=directory)
    if not directory.is_dir():
        return folder
    first_file: dict[str, Path] = {}
    for path in sorted(directory.glob("*.json")):
        try:
            config = load_service_config(path)
        except ConfigError as exc:
            folder.skipped.append(SkippedConfig(path=path, service=_name_in(path), problem=str(exc)))
            continue
        if config.name in folder.configs:
            problem = (
                f"{path}: field 'name': service '{config.name}' is defined twice "
                f"(first in {first_file[config.name]}, which is used)"
            )
            folder.skipped.append(SkippedConfig(path=path, service=config.name, problem=problem))
            continue
        folder.configs[config.name] = config
        first_file[config.name] = path
    return folder
