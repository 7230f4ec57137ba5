# Kiosque des savoirs. Every target sets itself up (Debian packages + .venv) before it runs.
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench setup clean screenshots

$(STAMP): pyproject.toml scripts/setup.sh
	@scripts/setup.sh

setup: $(STAMP)

## The kiosk in demo mode: demo data on its embedded SQLite, simulated hardware, windowed.
run: $(STAMP)
	$(BIN)/kiosk run --demo --windowed

## Everything CI checks: lint, format, types, then the test suite.
test: $(STAMP) lint
	@$(BIN)/pytest -q; status=$$?; \
	  if [ $$status -eq 5 ]; then echo "pytest n'a lancé aucun test : c'est un échec." >&2; fi; \
	  exit $$status

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

## Every screen and state under Xvfb, FR and EN, 800×480 and 1280×800: build/screenshots/*.png
screenshots: $(STAMP)
	$(BIN)/python scripts/screenshots.py
	$(BIN)/python scripts/update_doc_images.py

## Benchmarks: figures and ratios measured side by side (never asserted in tests).
bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) build .pytest_cache .mypy_cache .ruff_cache
