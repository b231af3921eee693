"""Shipped service configs, sample incidents and the benchmark set: do they load, follow the spec, agree?

Covers configs/*.json (via sre_agent.configs), the incident folders under incidents/ (ours,
generated) and bench/incidents/ (LogHub copies), bench/questions.json, and the generator's
reproducibility.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from sre_agent.config_folder import load_config_folder
from sre_agent.configs import load_service_config, load_service_configs
from sre_agent.errors import ConfigError
from sre_agent.redact import Redactor

ROOT = Path(__file__).resolve().parent.parent
CONFIGS = ROOT / "configs"
OUR_INCIDENTS = ROOT / "incidents"
BENCH_INCIDENTS = ROOT / "bench" / "incidents"
GENERATOR = OUR_INCIDENTS / "generate_membership.py"

#: The LogHub copies carry no `service`; this is the config that describes each.
BENCH_SERVICE = {
    "hdfs-block-serve-failures": "hdfs",
    "openssh-brute-force-labsz": "openssh",
    "zookeeper-election-port-failures": "zookeeper",
}

#: Mentions of the (verbatim, not ours to edit) LogHub copies that are in a relevant record's
#: `host` or `timestamp` instead of its message: (incident id, turn number from 1, mention).
MENTIONS_OUTSIDE_MESSAGE = {
    ("zookeeper-election-port-failures", 1, "10.10.34.12"),
    ("zookeeper-election-port-failures", 2, "15:26"),
    ("zookeeper-election-port-failures", 2, "11:14"),
}

SECRET_SHAPES = {
    "e-mail": re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+"),
    "bearer token": re.compile(r"Bearer\s+[A-Za-z0-9._-]{20,}"),
    "session cookie": re.compile(r"msess_[A-Za-z0-9]{24}"),
}
CARD = re.compile(r"(?<![\w-])[3-6](?:[ -]?\d){12,18}(?![\w-])")


def _incident_dirs(root: Path) -> list[Path]:
    return sorted(p for p in root.iterdir() if (p / "incident.json").is_file())


ALL_INCIDENTS = _incident_dirs(OUR_INCIDENTS) + _incident_dirs(BENCH_INCIDENTS)
#: The incidents a shipped config describes (the other LogHub systems have none: they run cold).
CONFIGURED_INCIDENTS = _incident_dirs(OUR_INCIDENTS) + [
    p for p in _incident_dirs(BENCH_INCIDENTS) if p.name in BENCH_SERVICE
]


def _load(folder: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    incident = json.loads((folder / "incident.json").read_text(encoding="utf-8"))
    with (folder / "logs.jsonl").open(encoding="utf-8") as fh:
        records = [json.loads(line) for line in fh]
    return incident, records


def _iso(value: str) -> datetime:
    t = datetime.fromisoformat(value.replace("Z", "+00:00"))
    assert t.tzinfo is not None, f"timestamp without offset or Z: {value!r}"
    return t


def _luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch) * (2 if i % 2 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def _secrets_in(record: dict[str, Any]) -> list[str]:
    """Kinds of secret found in any field of a record."""
    found = []
    for value in record.values():
        text = str(value)
        found += [kind for kind, shape in SECRET_SHAPES.items() if shape.search(text)]
        if any(_luhn(re.sub(r"[ -]", "", m.group())) for m in CARD.finditer(text)):
            found.append("card number")
    return found


# ---------------------------------------------------------------- shipped configs


def test_every_shipped_config_loads_with_its_knowledge() -> None:
    configs = load_service_configs(CONFIGS)
    assert set(configs) == {"membership", "hdfs", "openssh", "zookeeper"}
    for name, cfg in configs.items():
        assert cfg.description, name
        assert cfg.methods and cfg.error_patterns and cfg.debugging_scenarios and cfg.vocabulary, name
        assert all(scenario.steps for scenario in cfg.debugging_scenarios), name
        assert all(words for words in cfg.vocabulary.values()), name
    assert configs["membership"].method_names() == [
        "GetMembership",
        "ListMemberships",
        "AddMember",
        "RemoveMember",
        "UpdateRole",
        "BatchGetMemberships",
    ]


def test_membership_config_redacts_its_session_cookie_and_drops_noise_fields() -> None:
    cfg = load_service_configs(CONFIGS)["membership"]
    cookie = "cookie=msess_AbCdEfGhIjKlMnOpQrStUvWx; user-agent=x"
    redacted = cookie
    for rp in cfg.redaction_patterns:
        redacted = re.sub(rp.pattern, rp.replacement, redacted)
    assert "AbCdEfGhIjKlMnOpQrStUvWx" not in redacted
    assert {"trace_flags", "k8s_pod_uid"} <= set(cfg.log_fields.drop)


@pytest.mark.parametrize("folder", CONFIGURED_INCIDENTS, ids=lambda p: p.name)
def test_error_patterns_recognise_the_trouble_in_each_incident(folder: Path) -> None:
    incident, records = _load(folder)
    service = incident.get("service") or BENCH_SERVICE[incident["id"]]
    cfg = load_service_configs(CONFIGS)[service]
    patterns = [re.compile(p.pattern, re.IGNORECASE) for p in cfg.error_patterns]
    has_levels = any("level" in r for r in records)
    if has_levels:
        trouble = [n for n, r in enumerate(records, 1) if r.get("level") in ("WARN", "ERROR", "FATAL")]
    else:  # syslog without levels: the lines the questions are about
        expects = [t.get("expect", {}) for t in incident["turns"]]
        trouble = sorted({n for e in expects for n in e.get("relevant_lines", [])})
    assert trouble
    missed = [n for n in trouble if not any(p.search(records[n - 1]["message"]) for p in patterns)]
    first = missed[0] if missed else 0
    assert not missed, f"{service}: no error pattern matches line {first}: {records[first - 1]['message']!r}"


def test_every_incident_service_names_a_shipped_config() -> None:
    configs = load_service_configs(CONFIGS)
    named = [_load(folder)[0].get("service") for folder in ALL_INCIDENTS]
    assert "membership" in named
    for folder, service in zip(ALL_INCIDENTS, named, strict=True):
        if service is not None:
            assert service in configs, f"{folder}: service {service!r} has no config in configs/"


# ---------------------------------------------------------------- bad configs


def _write_config(directory: Path, text: str) -> Path:
    path = directory / "broken.json"
    path.write_text(text, encoding="utf-8")
    return path


def _valid_config() -> dict[str, Any]:
    return {
        "name": "payments",
        "error_patterns": [{"name": "timeout", "pattern": "deadline exceeded"}],
        "redaction_patterns": [{"name": "token", "pattern": "tok_[a-z0-9]+"}],
    }


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda c: c["error_patterns"][0].update(pattern="(unclosed"), "error_patterns.0.pattern"),
        (lambda c: c["redaction_patterns"][0].update(pattern="[a-"), "redaction_patterns.0.pattern"),
        (lambda c: c.pop("name"), "'name'"),
        (lambda c: c.update(colour="blue"), "colour"),
        (lambda c: c["error_patterns"][0].update(severty="WARN"), "error_patterns.0.severty"),
    ],
    ids=["bad-regex", "bad-redaction-regex", "missing-name", "unknown-field", "unknown-nested-field"],
)
def test_bad_config_names_file_and_field(tmp_path: Path, change: Any, field: str) -> None:
    config = _valid_config()
    change(config)
    path = _write_config(tmp_path, json.dumps(config, indent=2))
    with pytest.raises(ConfigError) as exc:
        load_service_configs(tmp_path)
    message = str(exc.value)
    assert str(path) in message
    assert field in message


def test_invalid_json_config_names_file_and_line(tmp_path: Path) -> None:
    path = _write_config(tmp_path, '{\n  "name": "payments",\n  "methods": [,]\n}\n')
    with pytest.raises(ConfigError) as exc:
        load_service_config(path)
    assert f"{path}:3:" in str(exc.value)


def test_the_valid_base_config_of_the_error_cases_loads(tmp_path: Path) -> None:
    _write_config(tmp_path, json.dumps(_valid_config()))
    assert list(load_service_configs(tmp_path)) == ["payments"]


def test_the_engine_skips_a_broken_config_and_keeps_the_others(tmp_path: Path) -> None:
    """What the engine loads: the good files; each bad one skipped with its file and field."""
    shutil.copy(CONFIGS / "membership.json", tmp_path / "a-membership.json")
    shutil.copy(CONFIGS / "membership.json", tmp_path / "b-membership.json")  # the name taken twice
    bad = _valid_config()
    bad["error_patterns"][0]["severty"] = "WARN"
    _write_config(tmp_path, json.dumps(bad))
    (tmp_path / "garbled.json").write_text('{"name": "x",', encoding="utf-8")
    folder = load_config_folder(tmp_path)
    assert list(folder.configs) == ["membership"]
    assert [(s.path.name, s.service) for s in folder.skipped] == [
        ("b-membership.json", "membership"),
        ("broken.json", "payments"),
        ("garbled.json", "garbled"),
    ]
    assert folder.skipped[0].problem == (
        f"{tmp_path / 'b-membership.json'}: field 'name': service 'membership' is defined twice "
        f"(first in {tmp_path / 'a-membership.json'}, which is used)"
    )
    assert folder.skipped[1].problem.startswith(
        f"{tmp_path / 'broken.json'}: field 'error_patterns.0.severty'"
    )
    assert folder.skipped[2].problem.startswith(f"{tmp_path / 'garbled.json'}:1: invalid JSON")
    assert folder.skipped_for("payments") is folder.skipped[1]
    assert folder.skipped_for("zookeeper") is None


# ---------------------------------------------------------------- incident folders follow the spec


@pytest.mark.parametrize("folder", ALL_INCIDENTS, ids=lambda p: p.name)
def test_incident_folder_follows_the_spec(folder: Path) -> None:
    incident, records = _load(folder)
    assert re.fullmatch(r"[a-z0-9-]+", incident["id"]), incident["id"]
    assert isinstance(incident["title"], str) and incident["title"].strip()
    assert "\n" not in incident["title"]
    assert isinstance(incident.get("environment", "prod"), str)
    assert incident["turns"], "an incident needs at least one turn"

    assert records, "logs.jsonl is empty"
    for n, record in enumerate(records, 1):
        assert isinstance(record, dict), f"line {n} is not an object"
        assert isinstance(record.get("message"), str), f"line {n}: no message"
        _iso(record["timestamp"])
    if "window" in incident:
        start, end = _iso(incident["window"]["start"]), _iso(incident["window"]["end"])
        assert start <= end
        assert all(start <= _iso(r["timestamp"]) <= end for r in records), "a line lies outside the window"

    for number, turn in enumerate(incident["turns"], 1):
        assert isinstance(turn["ask"], str) and turn["ask"].strip()
        expect = turn.get("expect", {})
        lines = expect.get("relevant_lines", [])
        assert all(isinstance(n, int) and 1 <= n <= len(records) for n in lines), f"turn {number}: bad line"
        messages = [records[n - 1]["message"].lower() for n in lines]
        for mention in expect.get("mentions", []):
            if (incident["id"], number, mention) in MENTIONS_OUTSIDE_MESSAGE:
                fields = [f"{records[n - 1].get('host')} {records[n - 1]['timestamp']}" for n in lines]
                assert any(mention in f for f in fields), f"turn {number}: {mention!r} in no relevant record"
                continue
            if any(mention.lower() in m for m in messages):
                continue
            # The shared LogHub copies (not ours to edit) have a few mentions in another field of a
            # relevant record: a time in its timestamp, a program in its component.
            whole = [json.dumps(records[n - 1], ensure_ascii=False).lower() for n in lines]
            assert folder.parent == BENCH_INCIDENTS and any(mention.lower() in w for w in whole), (
                f"turn {number}: {mention!r} in no relevant message"
            )


def test_incident_ids_are_unique() -> None:
    ids = [_load(folder)[0]["id"] for folder in ALL_INCIDENTS]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("folder", _incident_dirs(OUR_INCIDENTS), ids=lambda p: p.name)
def test_our_incidents_hold_secrets_but_no_turn_depends_on_one(folder: Path) -> None:
    incident, records = _load(folder)
    kinds = {kind for record in records for kind in _secrets_in(record)}
    assert kinds == {"e-mail", "bearer token", "session cookie", "card number"}
    for number, turn in enumerate(incident["turns"], 1):
        for n in turn["expect"]["relevant_lines"]:
            assert not _secrets_in(records[n - 1]), f"turn {number}: relevant line {n} holds a secret"
        for mention in turn["expect"]["mentions"]:
            assert not _secrets_in({"mention": mention}), f"turn {number}: mention {mention!r} is a secret"


@pytest.mark.parametrize("folder", _incident_dirs(OUR_INCIDENTS), ids=lambda p: p.name)
def test_redaction_with_the_service_config_removes_every_secret_but_no_relevant_text(folder: Path) -> None:
    incident, records = _load(folder)
    redactor = Redactor.for_config(load_service_configs(CONFIGS)[incident["service"]])
    relevant = {n for t in incident["turns"] for n in t["expect"]["relevant_lines"]}
    for n, record in enumerate(records, 1):
        cleaned = redactor.redact_value(record)
        assert not _secrets_in(cleaned), f"line {n}: a secret survives redaction: {cleaned['message']!r}"
        if n in relevant:
            assert cleaned["message"] == record["message"], f"line {n}: redaction changes a relevant line"


def test_bench_copies_keep_the_loghub_license_and_citation() -> None:
    assert (BENCH_INCIDENTS / "LICENSE-LOGHUB").is_file()
    readme = (BENCH_INCIDENTS / "README.md").read_text(encoding="utf-8")
    assert "https://github.com/logpai/loghub" in readme and "ISSRE" in readme and "dd61d09" in readme


# ---------------------------------------------------------------- benchmark questions


def test_questions_cover_every_turn_with_a_style() -> None:
    questions = json.loads((ROOT / "bench" / "questions.json").read_text(encoding="utf-8"))
    labelled = {(i["id"], t["ask"]): t["style"] for i in questions["incidents"] for t in i["turns"]}
    asked = {(inc["id"], t["ask"]) for inc, _ in map(_load, ALL_INCIDENTS) for t in inc["turns"]}
    assert set(labelled) == asked
    assert set(labelled.values()) == {"lexical", "paraphrase", "broad"}


# ---------------------------------------------------------------- generator


@pytest.mark.slow  # a browser or a subprocess: `make test-fast` skips it
def test_generator_reproduces_our_incidents_byte_for_byte(tmp_path: Path) -> None:
    subprocess.run([sys.executable, str(GENERATOR), "--out", str(tmp_path)], check=True, capture_output=True)
    generated = _incident_dirs(tmp_path)
    assert [p.name for p in generated] == [p.name for p in _incident_dirs(OUR_INCIDENTS)]
    for folder in generated:
        for name in ("incident.json", "logs.jsonl"):
            fresh = (folder / name).read_bytes()
            shipped = (OUR_INCIDENTS / folder.name / name).read_bytes()
            assert fresh == shipped, f"{folder.name}/{name} differs from the generator's output; rerun it"
