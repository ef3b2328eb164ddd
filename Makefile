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

# SQLite always; PostgreSQL too when RATECARD_TEST_DATABASE_URL is set (CI sets it). The two
# runs share nothing (own databases, own temp dirs), so they run side by side: on 2 cores the
# pair takes little more than the longer run. SQLite's output is printed when both are done.
test: $(STAMP)
	@if [ -z "$$RATECARD_TEST_DATABASE_URL" ]; then \
	  $(MAKE) --no-print-directory test-sqlite; \
	else \
	  log=$$(mktemp); \
	  echo "== SQLite and PostgreSQL ($$RATECARD_TEST_DATABASE_URL) side by side;" \
	       "PostgreSQL's progress below, SQLite's output after it"; \
	  $(MAKE) --no-print-directory test-sqlite > $$log 2>&1 & lite_pid=$$!; \
	  $(MAKE) --no-print-directory test-postgres; pg=$$?; \
	  wait $$lite_pid; lite=$$?; \
	  echo "== SQLite"; cat $$log; rm -f $$log; \
	  echo "== PostgreSQL exit $$pg, SQLite exit $$lite"; \
	  [ $$pg -eq 0 ] && [ $$lite -eq 0 ]; \
	fi

test-sqlite: $(STAMP)
	env -u RATECARD_TEST_DATABASE_URL $(BIN)/python -m pytest -q -p no:cacheprovider \
	  --basetemp=$${TMPDIR:-/tmp}/ratecard-tests-sqlite

test-postgres: $(STAMP)
	@[ -n "$$RATECARD_TEST_DATABASE_URL" ] || { echo "set RATECARD_TEST_DATABASE_URL" >&2; exit 2; }
	$(BIN)/python -m pytest -q -p no:cacheprovider --basetemp=$${TMPDIR:-/tmp}/ratecard-tests-pg

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
	$(BIN)/python bench/pagestore

lint: $(STAMP)
	$(BIN)/ruff check site scrapers tests migrations bench/sync bench/render bench/notfound bench/pages bench/probes \
	  bench/export bench/api bench/search bench/pagestore

clean:
	rm -rf $(VENV) instance .pytest_cache
