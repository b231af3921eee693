# The two commands a newcomer types: `make demo` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install chromium demo test test-fast lint format bench mutation lock clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall when the lock or the package metadata changes.
$(STAMP): $(BIN)/python requirements.txt pyproject.toml
	$(BIN)/pip install --quiet -r requirements.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

demo: install
	@echo "== Replaying our sample incidents through the agent (offline triage unless an LLM is configured) =="
	$(BIN)/sre-agent replay incidents --parallel 2 --json .sre-agent/demo-replay.json --html .sre-agent/demo-replay.html
	@echo
	@echo "== Asking one question =="
	$(BIN)/sre-agent ask "why is GetMembership failing for user 123 in prod?" \
		--logs incidents/membership-dynamodb-throttling/logs.jsonl --service membership --session demo
	@echo
	@echo "== Its run, step by step (the picture: .sre-agent/demo-run.html; all runs: sre-agent runs list) =="
	$(BIN)/sre-agent runs show last --html .sre-agent/demo-run.html

# The browser tests open our HTML pages in headless Chromium (tests/browser.py): Debian's package,
# installed here when missing, or whatever SRE_AGENT_CHROMIUM names.
chromium:
	@if [ -n "$$SRE_AGENT_CHROMIUM" ]; then \
		command -v "$$SRE_AGENT_CHROMIUM" >/dev/null || echo "SRE_AGENT_CHROMIUM=$$SRE_AGENT_CHROMIUM is not an executable: the browser tests will fail."; \
	elif ! command -v chromium >/dev/null; then \
		if command -v apt-get >/dev/null; then \
			SUDO=; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
			echo "== Installing Debian's chromium for the browser tests =="; \
			$$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
			$$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
		else \
			echo "The browser tests need Chromium: install it and set SRE_AGENT_CHROMIUM to its path."; \
		fi; \
	fi

# Two workers (pytest-xdist), one per core of the CI machine: the suite is ~10 min on one.
test: install chromium
	HF_HUB_OFFLINE=1 $(BIN)/python -m pytest -q -n 2

# The inner loop: everything but the tests marked slow (subprocesses, the browser, racing
# processes, 300k-line files). `make test` still runs everything.
test-fast: install
	HF_HUB_OFFLINE=1 $(BIN)/python -m pytest -q -n 2 -m "not slow"

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: install
	$(BIN)/python bench/bench_embed_model.py
	$(BIN)/python bench/bench_ingest.py
	$(BIN)/python bench/bench_query.py
	$(BIN)/python bench/bench_recall.py --out bench/out/configs
	$(BIN)/python bench/bench_recall.py --cold --out bench/out/cold
	$(BIN)/python bench/bench_recall.py --cold --incidents bench/incidents-c --questions bench/incidents-c/questions.json --out bench/out/cold-c
	$(BIN)/python bench/bench_triage.py --out bench/out/triage-configs
	$(BIN)/python bench/bench_triage.py --cold --out bench/out/triage-cold
	$(BIN)/python bench/bench_agent.py
	$(BIN)/python bench/bench_bot.py
	$(BIN)/python bench/bench_code_index.py
	$(BIN)/python bench/bench_traces.py
	$(BIN)/python bench/bench_suspects.py

# Mutation testing of the retrieval and redaction modules against their fast tests (mutmut,
# [tool.mutmut] in pyproject.toml; results cached in mutants/). Not part of `make test`: about an
# hour on 2 idle cores for all ~2,700 mutants. One module: make mutation MUTANTS='sre_agent.workflows.order*';
# the redaction modules alone: MUTANTS='sre_agent.redact*'. Survivors: docs/mutation.md.
MUTANTS ?=
mutation: install
	HF_HUB_OFFLINE=1 $(BIN)/mutmut run $(MUTANTS)
	@HF_HUB_OFFLINE=1 $(BIN)/mutmut results
	@$(BIN)/python -c "import json, collections, pathlib; \
	from mutmut.stats import status_by_exit_code as s; \
	[print(f'{str(p)[8:-5]}: ' + ', '.join(f'{k} {v}' for k, v in sorted(c.items())) + f', total {sum(c.values())}') \
	 for p in sorted(pathlib.Path('mutants').rglob('*.py.meta')) \
	 for c in [collections.Counter(s[e] for e in json.loads(p.read_text())['exit_code_by_key'].values())]]"

# Re-pin requirements.txt (with hashes) from requirements.in; needs network access to PyPI.
lock:
	$(PYTHON) -m venv /tmp/sre-agent-uv && /tmp/sre-agent-uv/bin/pip install --quiet uv
	/tmp/sre-agent-uv/bin/uv pip compile requirements.in --generate-hashes --python-version 3.11 -o requirements.txt

clean:
	rm -rf $(VENV) .sre-agent
