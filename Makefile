# Quanze: the two commands are `make run` and `make test`. Nothing else is needed on a
# fresh machine with Python 3.11: the venv, packages and messages are made here.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)
MO := locale/zh_Hans/LC_MESSAGES/django.mo
# Apps may keep their own catalogue (app/locale/zh_Hans/LC_MESSAGES/django.po); Django finds it.
PO := $(wildcard locale/*/LC_MESSAGES/*.po */locale/*/LC_MESSAGES/*.po)
LOCALES := locale $(wildcard */locale)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test setup messages lint bench bench-quick clean

setup: $(STAMP) $(MO)

$(STAMP): requirements.txt requirements-dev.txt
	@test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@rm -f $(VENV)/.installed-*
	@touch $@

messages $(MO): $(PO) | $(STAMP)
	$(BIN)/python -m accountability.compile_messages $(LOCALES)

run: setup
	DEBUG=true $(BIN)/python manage.py migrate --noinput
	DEBUG=true $(BIN)/python manage.py seed_demo --url http://$(HOST):$(PORT)/
	DEBUG=true $(BIN)/python manage.py runserver $(HOST):$(PORT)

test: setup
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: setup
	$(BIN)/python bench/import_bench.py --actions 100000 --actions 1000000
	$(BIN)/python bench/metrics_bench.py --cases 1000000 --workers 2
	$(BIN)/python bench/action_bench.py --clients 20 --seconds 20
	$(BIN)/python bench/case_page_bench.py --long 2000 --clients 10 --seconds 20
	$(BIN)/python bench/rules_bench.py --cases 1000000
	$(BIN)/python bench/search_bench.py --cases 1000000
	$(BIN)/python bench/dashboard_bench.py --cases 1000000

# One small database shared by the generated-data benchmarks (generated and migrated once), within a minute.
QUICK_DB := postgres://postgres@127.0.0.1:5432/quanze_bench_quick
bench-quick: export QUANZE_BENCH_RESULTS = bench/out/results-quick.json
bench-quick: setup
	$(BIN)/python bench/import_bench.py --actions 10000
	$(BIN)/python bench/metrics_bench.py --cases 2000 --database-url $(QUICK_DB)
	$(BIN)/python bench/action_bench.py --clients 20 --seconds 2
	$(BIN)/python bench/case_page_bench.py --long 120 --requests 10 --seconds 0 --reuse \
		--database-url postgres://postgres@127.0.0.1:5432/quanze_bench_actions
	$(BIN)/python bench/rules_bench.py --cases 2000 --reuse --workers 0 --database-url $(QUICK_DB)
	$(BIN)/python bench/search_bench.py --cases 2000 --reuse --database-url $(QUICK_DB)
	$(BIN)/python bench/dashboard_bench.py --cases 2000 --reuse --database-url $(QUICK_DB) --requests 20 --months 2

clean:
	rm -rf $(VENV) var staticfiles
