# Two commands for a newcomer: `make demo` (the main job, on SQLite) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
DEMO_DB := sqlite:///var/demo.db

.PHONY: install browser demo dashboard prefect prefect-down test clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e ".[test,registry]"
	touch $(STAMP)

install: $(STAMP)

# The main job: load the real plans into a fresh SQLite file, then replay 05/11/2020-31/10/2023
# day by day (morning watch + dispatch) with the illustrative scenarios, sending every notice to
# a local SMTP sink (kept in var/demo-mail.mbox); it prints the timeline, the totals and the
# final statuses. Then: where Cong van 1030 stood on 20/11/2020, why Ba Vi's deadline moved, the
# first reminder whose deadline the coordinator set where the text gives none, and
# the progress reports (Excel + HTML in var/reports) of Ha Noi's plan on 20/11/2020 and of plan
# 399 on 31/10/2023; the city's compiled figures of the first half of 2021 (with coverage) and
# where Gia Lai's three targets stand at the end of 2023 (its plan of 2023 has its first yearly
# reports in December 2023, after the replay: the scenario, idempotent, records them then).
demo: $(STAMP)
	rm -f var/demo.db var/demo.db-wal var/demo.db-shm var/demo-mail.mbox
	$(BIN)/plantrack validate
	$(BIN)/plantrack sync --db $(DEMO_DB)
	$(BIN)/plantrack replay --from 2020-11-05 --to 2023-10-31 \
		--scenario scenarios/hanoi-1030-demo.yaml --scenario scenarios/figures-demo.yaml --scenario scenarios/habits-2020-2023.yaml \
		--mbox var/demo-mail.mbox --db $(DEMO_DB)
	$(BIN)/plantrack status --plan 03/KH-BCĐ389 --obligation ke-hoach-trien-khai --as-of 2020-11-20 --db $(DEMO_DB)
	$(BIN)/plantrack notices --unit hn.district.my-duc --limit 8 --db $(DEMO_DB)
	$(BIN)/plantrack explain --plan hn-cv-1030 --obligation ke-hoach-trien-khai --unit hn.district.ba-vi --db $(DEMO_DB)
	$(BIN)/python -m notifications.sink --mbox var/demo-mail.mbox --show "cơ quan điều phối đặt hạn mặc định"
	$(BIN)/plantrack report --plan 03/KH-BCĐ389 --as-of 2020-11-20 --output-dir var/reports --db $(DEMO_DB)
	$(BIN)/plantrack report --plan kh-399 --as-of 2023-10-31 --output-dir var/reports --db $(DEMO_DB)
	$(BIN)/plantrack figures --plan 03/KH-BCĐ389 --obligation bao-cao-6-thang --period 2021-H1 --db $(DEMO_DB)
	$(BIN)/plantrack scenario scenarios/figures-demo.yaml --db $(DEMO_DB)
	$(BIN)/plantrack targets --plan gl-kh-tmdt --as-of 2023-12-31 --db $(DEMO_DB)

# The dashboard on the demo data (runs the demo first if var/demo.db is missing), its clock set
# to 20/11/2020 10:00 so that the 2020 submission links are still valid; a demo coordinator
# account, and the link of a district that has not sent its plan. http://127.0.0.1:8000/
dashboard: $(STAMP)
	test -f var/demo.db || $(MAKE) demo
	PLANTRACK_ACCOUNT_PASSWORD=dieuphoi-demo $(BIN)/plantrack account add --login dieuphoi --name "Cán bộ điều phối (demo)" --role admin --db $(DEMO_DB)
	@echo "Demo sign-in (admin, every plan): dieuphoi / dieuphoi-demo"
	$(BIN)/plantrack link --plan hn-cv-1030 --obligation ke-hoach-trien-khai --unit hn.district.my-duc --db $(DEMO_DB)
	$(BIN)/plantrack serve --clock 2020-11-20T10:00:00+07:00 --db $(DEMO_DB)

# A local Prefect server (var/prefect), the plantrack work pool, every deployment of
# prefect.yaml, and a process worker, all in the background; waits until each answers.
# The worker runs the flows with this environment (PLANTRACK_DATABASE_URL, PLANTRACK_SMTP_URL,
# PLANTRACK_MAIL_REDIRECT...). UI at http://127.0.0.1:4200; `make prefect-down` stops it.
prefect: $(STAMP)
	$(BIN)/python -m flows.stack up

prefect-down: $(STAMP)
	$(BIN)/python -m flows.stack down

# The dashboard tests drive Debian's chromium (Playwright never downloads a browser here).
browser:
	@command -v chromium >/dev/null || apt-get install -y -q chromium >/dev/null \
		|| (apt-get update -q >/dev/null && apt-get install -y -q chromium >/dev/null) \
		|| echo "chromium could not be installed: the browser test will be skipped"

# ruff (configured in pyproject.toml) first, then the tests. PostgreSQL tests run too when PLANTRACK_TEST_POSTGRES_URL is set (.ci/run sets it).
test: $(STAMP) browser
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) var .pytest_cache
