# Two commands do everything on a fresh machine:
#   make demo   set up .venv, install everything, run the whole batch on the example corpus
#   make test   set up .venv, install everything, run the whole test suite (what CI runs)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup demo demo-ungdc test bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	# the CPU build of torch first: an unpinned torch would pull a multi-GB CUDA build
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e ".[nlp,torch,postgres,dask,dev,train]"
	# the English sentiment head's MiniLM on ONNX Runtime int8, exported from the bundled weights
	# into the cache folder (else the first coding run exports it, about 20 s)
	$(BIN)/python scripts/export_minilm_onnx.py
	touch $(STAMP)

# Debian packages (each script does nothing when they are present): Tesseract and its language
# packs for OCR, Chromium for the report's browser test
setup: $(STAMP)
	bash scripts/install-ocr.sh
	bash scripts/install-chromium.sh

demo: setup
	$(BIN)/stancemap run examples/corpus --project demo-project --manifest examples/manifest.csv
	$(BIN)/stancemap export --project demo-project --level panel --by source_country,sector,year \
		--out demo-project/exports/panel_source_country_sector_year.dta
	$(BIN)/stancemap report --project demo-project --out demo-project/exports/report.html
	$(BIN)/stancemap info --project demo-project

demo-ungdc: setup
	$(BIN)/stancemap run ../shared/corpus-demo/ungdc --project ungdc-project \
		--pattern "{country}_{session}_{year}.txt"

# the store and review tests also run against PostgreSQL: a throwaway server unless
# STANCEMAP_TEST_PG names one (where none can be started, those cases skip with a message).
# Two xdist workers, each loading the models (about 2 GB); a test file's tests stay on one worker,
# so its module fixtures (a trained transformer, a Dask cluster) are built once
test: setup
	STANCEMAP_TEST_PG="$${STANCEMAP_TEST_PG:-$$(bash scripts/start-postgres.sh || true)}" \
		$(BIN)/pytest -n 2 --dist loadfile

bench: setup
	$(BIN)/python benchmarks/ingest.py
	$(BIN)/python benchmarks/pipeline.py
	$(BIN)/python benchmarks/train.py
	$(BIN)/python benchmarks/accuracy.py
	$(BIN)/python benchmarks/coverage.py
	$(BIN)/python benchmarks/sectors.py
	$(BIN)/python benchmarks/review_import.py
	$(BIN)/python benchmarks/report.py
	$(BIN)/python benchmarks/validity.py
	$(BIN)/python benchmarks/topics.py --scale 100000

clean:
	rm -rf $(VENV) demo-project ungdc-project .pytest_cache
