"""Incident folders: `incident.json` plus `logs.jsonl`, loaded and validated with pydantic.

A bad incident gives an `InputError` naming the file and the field.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from sre_agent.errors import InputError
from sre_agent.models import TimeWindow


class Expectation(BaseModel):
    relevant_lines: list[int] = Field(default_factory=list)
    mentions: list[str] = Field(default_factory=list)


class Turn(BaseModel):
    ask: str = Field(min_length=1)
    expect: Expectation = Field(default_factory=Expectation)


class Incident(BaseModel):
    """One past incident and the questions of its Slack thread."""

    model_config = ConfigDict(extra="allow")

    id: str = Field(pattern=r"^[a-z0-9-]+$")
    title: str = Field(min_length=1)
    service: str | None = None
    environment: str = "prod"
    window: TimeWindow | None = None
    turns: list[Turn] = Field(min_length=1)
    folder: Path = Field(default=Path("."), exclude=True)

    @field_validator("turns")
    @classmethod
    def _lines_positive(cls, turns: list[Turn]) -> list[Turn]:
        for turn in turns:
            if any(n < 1 for n in turn.expect.relevant_lines):
                raise ValueError("relevant_lines are 1-based line numbers")
        return turns

    @property
    def logs_path(self) -> Path:
        return self.folder / "logs.jsonl"


def load_incident(folder: Path) -> Incident:
    """Load one incident folder; raise InputError naming the file and the field when it is bad."""
    path = folder / "incident.json"
    if not path.is_file():
        raise InputError(f"{path}: no such file (an incident folder holds incident.json and logs.jsonl)")
    if not (folder / "logs.jsonl").is_file():
        raise InputError(f"{folder / 'logs.jsonl'}: no such file")
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}:{exc.lineno}: invalid JSON: {exc.msg}") from None
    try:
        incident = Incident.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(p) for p in first["loc"]) or "(top level)"
        raise InputError(f"{path}: field '{loc}': {first['msg']}") from None
    incident.folder = folder
    return incident


def find_incidents(path: Path) -> list[Incident]:
    """`path` is one incident folder or a folder of them."""
    if not path.exists():
        raise InputError(f"{path}: no such file or folder")
    if (path / "incident.json").is_file():
        return [load_incident(path)]
    folders = sorted(p for p in path.iterdir() if p.is_dir() and (p / "incident.json").is_file())
    if not folders:
        raise InputError(f"{path}: no incident folders here (each needs an incident.json)")
    return [load_incident(p) for p in folders]
