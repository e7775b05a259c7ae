# vanban — set-up, main job, tests. `make run` and `make test` are all a fresh machine needs.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
APT_PACKAGES := tesseract-ocr tesseract-ocr-vie tesseract-ocr-eng tesseract-ocr-osd fonts-dejavu-core \
	chromium chromium-driver
SUDO := $(shell [ "$$(id -u)" = "0" ] || echo sudo)
OUT ?= out
JOBS ?= 2

.PHONY: install system-deps run test eval bench eval-ocr eval-entities train clean distclean

install: $(STAMP)

# System packages (Tesseract with its Vietnamese model, fonts for the OCR test renders, chromium and
# chromedriver for the view's browser test), only
# when missing, so that a second `make install` does nothing.
system-deps:
	@if ! command -v tesseract >/dev/null 2>&1 || ! tesseract --list-langs 2>/dev/null | grep -qx vie \
	   || ! tesseract --list-langs 2>/dev/null | grep -qx eng \
	   || ! tesseract --list-langs 2>/dev/null | grep -qx osd \
	   || ! fc-list 2>/dev/null | grep -qi dejavu \
	   || ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then \
	  echo "installing system packages: $(APT_PACKAGES)"; \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(APT_PACKAGES) >/dev/null; \
	fi

$(STAMP): pyproject.toml | system-deps
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -e '.[all]'
	@touch $(STAMP)

RENDERS := build/scans

# The main job: ingest the bundled sample corpus (text, and scan-like copies of three samples made
# here: a sealed PDF, a phone photo, a photocopied TIFF) and print a summary.
run: install
	$(BIN)/python tests/make_scans.py $(RENDERS)
	OMP_THREAD_LIMIT=1 $(BIN)/vanban ingest corpus/samples $(RENDERS) --out $(OUT) --jobs $(JOBS); \
	  code=$$?; [ $$code -eq 0 ] || [ $$code -eq 4 ] || exit $$code
	@echo "serve it: $(BIN)/vanban serve --data $(OUT)   (then open http://127.0.0.1:8765/)"

test: install
	OMP_THREAD_LIMIT=1 $(BIN)/python -m pytest -q

# Field P/R/F1 on the gold set (corpus/gold), JSON report in reports/, exit 7 below the floors.
eval: install
	$(BIN)/vanban eval --report reports/eval.json --check corpus/gold/floors.json

bench: install
	OMP_THREAD_LIMIT=1 $(BIN)/vanban bench --ocr --graph --hostile --view --scale

eval-entities: install
	OMP_THREAD_LIMIT=1 $(BIN)/python -m pipeline.evaluation.evaluate_entities --ocr --report reports/eval-entities.json

# A spaCy NER model trained here on silver labels, compared with the rules (it does not ship: it
# scored below them; see README).
train: install
	$(BIN)/python -m pipeline.evaluation.train_ner --out build/ner --epochs 6 --max-docs 220
	$(BIN)/python -m pipeline.evaluation.evaluate_entities --model build/ner --ocr --report reports/eval-ner.json

# CER per condition on scan-like renders of the gold documents, fields on renders vs text path.
eval-ocr: install
	OMP_THREAD_LIMIT=1 $(BIN)/vanban eval-ocr --report reports/eval-ocr.json

clean:
	rm -rf $(OUT) build reports .pytest_cache .hypothesis

distclean: clean
	rm -rf $(VENV) *.egg-info
