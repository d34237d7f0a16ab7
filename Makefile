# Everything a newcomer or CI does. `make run` starts the web server and a
# background worker together (Ctrl-C stops both). `make run` and `make test` install what
# they need first.
PYTHON ?= python3.12
VENV   := .venv
PY     := $(VENV)/bin/python
UV     := $(VENV)/bin/uv
UV_VERSION := 0.13.9
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: install system-deps js-deps run serve test lint format check bench clean

$(VENV)/.installed: pyproject.toml uv.lock
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install -q --disable-pip-version-check uv==$(UV_VERSION)
	@$(UV) sync --frozen --inexact -q
	@touch $@

install: $(VENV)/.installed system-deps js-deps

# axe-core for the browser tests' accessibility checks (npm registry).
js-deps:
	@scripts/js-deps

# pdftotext (poppler-utils) reads PDFs back in tests; WeasyPrint needs Pango.
system-deps:
	@scripts/system-deps

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py createcachetable
	$(PY) manage.py seed_demo
	PY=$(PY) scripts/run-dev

test: install
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/bandit -q --severity-level high -c pyproject.toml -r config pupils providers consent sharing
	$(VENV)/bin/mypy

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Migrations match the models; the deploy checklist is clean under
# production-like settings.
check: install
	$(PY) manage.py makemigrations --check --dry-run
	DEBUG=false SECRET_KEY=ci-$$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n') \
	  ALLOWED_HOSTS=school.example ALLOW_SQLITE_IN_PRODUCTION=true EMAIL_URL=smtp+tls://mail.school.example:587 FIELD_ENCRYPTION_KEYS=$$($(PY) -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())") \
	  $(PY) manage.py check --deploy --fail-level WARNING

bench: install
	@for b in bench/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
