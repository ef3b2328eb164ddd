# The two commands of the README's quick start: `make serve` and `make test`.
# Both work on a fresh machine with only Python 3.11+: they create .venv and install.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: serve test test-sqlite test-postgres bench lint browsers clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

serve: $(STAMP)
	$(BIN)/ratecard serve

# SQLite always; PostgreSQL too when RATECARD_TEST_DATABASE_URL is set (CI sets it).
test: $(STAMP)
	env -u RATECARD_TEST_DATABASE_URL $(BIN)/python -m pytest -q
	@if [ -n "$$RATECARD_TEST_DATABASE_URL" ]; then \
	  echo "== again on PostgreSQL ($$RATECARD_TEST_DATABASE_URL)"; \
	  $(BIN)/python -m pytest -q; \
	fi

# Benchmarks print figures; they are not tests. bench/pages needs Debian's wrk.
bench: $(STAMP)
	$(BIN)/python bench/sync
	$(BIN)/python bench/render
	$(BIN)/python bench/notfound
	$(BIN)/python bench/pages
	$(BIN)/python bench/probes
	$(BIN)/python bench/export
	$(BIN)/python bench/api
	$(BIN)/python bench/search

lint: $(STAMP)
	$(BIN)/ruff check site scrapers tests migrations bench/sync bench/render bench/notfound bench/pages bench/probes \
	  bench/export bench/api bench/search

clean:
	rm -rf $(VENV) instance .pytest_cache
