# The two commands that matter come first: `make demo` and `make test` (see README).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
PYTEST_ARGS ?=
# The suite runs on every core (pytest-xdist; each worker has its own test database).
TEST_WORKERS ?= auto

.PHONY: demo test bench check lint venv venv-dev system-deps lock clean

# `keys init` creates only the keys that are missing (and says so); it never replaces one.
# The worker runs the background jobs (linkage runs) beside the server and stops with it.
demo: $(VENV)/.runtime
	UNSEEN_DEMO=1 $(BIN)/unseen migrate --no-input -v0
	UNSEEN_DEMO=1 $(BIN)/unseen keys init
	UNSEEN_DEMO=1 $(BIN)/unseen demo
	@echo
	@echo "Unseen demo on http://127.0.0.1:$(PORT)/  (admin: /admin/, health: /healthz)"
	@echo "Background jobs: unseen worker (stopped with the server)"
	UNSEEN_DEMO=1 $(BIN)/unseen worker --no-reload -v0 & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	  UNSEEN_DEMO=1 $(BIN)/unseen runserver 127.0.0.1:$(PORT)

test: system-deps $(VENV)/.dev
	$(BIN)/pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

bench: system-deps $(VENV)/.dev
	$(BIN)/python benchmarks/run.py

# Static checks that .ci/run runs before the suite.
check: system-deps $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/unseen makemigrations --check --dry-run

venv: $(VENV)/.runtime
venv-dev: $(VENV)/.dev

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# Installs are stamped with the lock file they came from; a changed lock reinstalls.
$(VENV)/.runtime: requirements.lock pyproject.toml | $(VENV)/bin/python
	$(BIN)/pip install -q -r requirements.lock
	$(BIN)/pip install -q --no-deps -e .
	touch $@

$(VENV)/.dev: requirements-dev.lock pyproject.toml | $(VENV)/bin/python system-deps
	$(BIN)/pip install -q -r requirements-dev.lock
	$(BIN)/pip install -q --no-deps -e .
	touch $@ $(VENV)/.runtime

# Browser tests drive Debian's chromium (Playwright's own download cannot work offline);
# the FollowTheMoney export's PyICU builds against libicu-dev with pkg-config; evidence files are
# OCR'd by tesseract (Korean and English), measured by ffprobe and timestamped in tests by openssl.
SYSTEM_PACKAGES := chromium libicu-dev pkg-config tesseract-ocr tesseract-ocr-kor ffmpeg openssl libpangoft2-1.0-0 fonts-noto-cjk fonts-dejavu-core
system-deps:
	@missing=""; command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	  dpkg -s libicu-dev >/dev/null 2>&1 || missing="$$missing libicu-dev"; \
	  command -v pkg-config >/dev/null 2>&1 || missing="$$missing pkg-config"; \
	  command -v java >/dev/null 2>&1 || missing="$$missing default-jre-headless"; \
	  command -v tesseract >/dev/null 2>&1 || missing="$$missing tesseract-ocr"; \
	  dpkg -s tesseract-ocr-kor >/dev/null 2>&1 || missing="$$missing tesseract-ocr-kor tesseract-ocr-eng"; \
	  command -v ffprobe >/dev/null 2>&1 || missing="$$missing ffmpeg"; \
	  command -v openssl >/dev/null 2>&1 || missing="$$missing openssl"; \
	  dpkg -s libpangoft2-1.0-0 >/dev/null 2>&1 || missing="$$missing libpango-1.0-0 libpangoft2-1.0-0"; \
	  dpkg -s fonts-noto-cjk >/dev/null 2>&1 || missing="$$missing fonts-noto-cjk"; \
	  dpkg -s fonts-dejavu-core >/dev/null 2>&1 || missing="$$missing fonts-dejavu-core"; \
	  if [ -n "$$missing" ]; then \
	    if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	      DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	    elif command -v sudo >/dev/null; then \
	      sudo DEBIAN_FRONTEND=noninteractive apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	    else echo "The suite needs Debian's$$missing: apt-get install$$missing" >&2; exit 1; fi; fi

lock:
	$(BIN)/pip-compile -q --strip-extras --no-header --no-emit-index-url --no-emit-find-links -o requirements.lock pyproject.toml
	$(BIN)/pip-compile -q --strip-extras --no-header --no-emit-index-url --no-emit-find-links --extra dev -o requirements-dev.lock pyproject.toml

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache
