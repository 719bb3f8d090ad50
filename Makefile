# Two commands for a newcomer: `make demo` (the main job, on SQLite) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
DEMO_DB := sqlite:///var/demo.db

.PHONY: install demo test clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

# Loads the real plans into a fresh SQLite file, records the illustrative Ha Noi history and
# shows where Cong van 1030 stood on 20/11/2020 (deadline: before 16/11/2020).
demo: $(STAMP)
	rm -f var/demo.db var/demo.db-wal var/demo.db-shm
	$(BIN)/plantrack validate
	$(BIN)/plantrack sync --db $(DEMO_DB)
	$(BIN)/plantrack scenario scenarios/hanoi-1030-demo.yaml --db $(DEMO_DB)
	$(BIN)/plantrack status --plan 03/KH-BCĐ389 --obligation ke-hoach-trien-khai --as-of 2020-11-20 --db $(DEMO_DB)
	$(BIN)/plantrack status --plan 399/KH-BCĐ389 --as-of 2020-11-20 --summary --db $(DEMO_DB)
	$(BIN)/plantrack explain --plan hn-cv-1030 --obligation ke-hoach-trien-khai --unit hn.district.ba-vi --db $(DEMO_DB)

# PostgreSQL tests run too when PLANTRACK_TEST_POSTGRES_URL is set (.ci/run sets it).
test: $(STAMP)
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) var .pytest_cache
