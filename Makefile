PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
AXE := tests/axe/node_modules/axe-core/axe.min.js

.PHONY: demo test bench lint clean venv system-check

# Exact versions and hashes from requirements.lock; the package itself without build isolation, so
# nothing is resolved afresh: a clean install of a commit gets what that commit was tested with.
$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check --require-hashes --no-deps -r requirements.lock
	$(BIN)/python -m pip install -q --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

$(AXE): tests/axe/package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "make test: npm is missing (scripts/install-system-deps.sh installs it)" >&2; exit 2; }
	npm ci --silent --no-audit --no-fund --prefix tests/axe
	touch $(AXE)

venv: $(STAMP)

system-check:
	@bash scripts/install-system-deps.sh --check

demo: $(STAMP)
	$(BIN)/digireport run --config config/digireport.toml --force --as-of 2025-12-02

test: $(STAMP) system-check $(AXE)
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check digireport jobs tests benchmarks

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf out .pytest_cache build *.egg-info
