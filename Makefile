# seed.comprehend developer entry points. `make demo` and `make test` install what they need.
SHELL := /bin/bash
.ONESHELL:
.SHELLFLAGS := -eu -o pipefail -c

# Python 3.12 (ansible-core 2.21 needs 3.12 or later): python3.12 on PATH, else pyenv's newest 3.12.
PYTHON ?= $(shell for candidate in python3.12 $$(ls -d $(HOME)/.pyenv/versions/3.12.*/bin/python3.12 2>/dev/null | sort -rV); do \
	"$$candidate" -c 'import sys; assert sys.version_info[:2] == (3, 12)' 2>/dev/null && command -v "$$candidate" && break; done)
PYTHON_VERSION = $(shell $(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])')
VENV := .venv
BIN := $(abspath $(VENV)/bin)
CACHE := $(abspath .cache)
# The `ansible` package whose amazon.aws the tests use (14.x carries amazon.aws 11.x, beside ansible-core 2.21).
ANSIBLE_WHEEL_VERSION := 14.5.0
COLLECTIONS := $(CACHE)/collections
AMAZON_AWS := $(COLLECTIONS)/ansible_collections/amazon/aws
PIP_QUIET := --quiet --disable-pip-version-check
# pip.conf on these machines names local indexes that may be absent; hide that noise only.
PIP_FILTER := 2> >(grep -v 'is ignored: it is neither' >&2)

export ANSIBLE_COLLECTIONS_PATH := $(COLLECTIONS)
export ANSIBLE_LOCAL_TMP := $(CACHE)/ansible-tmp
export ANSIBLE_REMOTE_TMP := $(CACHE)/ansible-tmp
export ANSIBLE_HOME := $(CACHE)/ansible-home
export PATH := $(BIN):$(PATH)

.PHONY: setup test demo bench clean

SITE_AMAZON_AWS = $(VENV)/lib/python$(PYTHON_VERSION)/site-packages/ansible_collections/amazon/aws
AMAZON_AWS_STAMP := $(COLLECTIONS)/.amazon-aws-from-ansible-$(ANSIBLE_WHEEL_VERSION)

setup: $(VENV)/.installed $(AMAZON_AWS_STAMP) $(COLLECTIONS)/ansible_collections/seed/comprehend $(SITE_AMAZON_AWS)

$(VENV)/.installed: tests/requirements-dev.txt requirements.txt
	[ -n "$(PYTHON)" ] || { echo "make: Python 3.12 not found (neither python3.12 on PATH nor ~/.pyenv/versions/3.12.*): install it, or run make PYTHON=/path/to/python3.12" >&2; exit 1; }
	$(PYTHON) -m venv --clear $(VENV)
	$(BIN)/pip install $(PIP_QUIET) -r tests/requirements-dev.txt $(PIP_FILTER)
	touch $@

# amazon.aws is not on PyPI alone: take it from the `ansible` wheel, downloaded once into .cache.
$(AMAZON_AWS_STAMP):
	mkdir -p $(CACHE)/wheels $(COLLECTIONS)/ansible_collections/amazon
	wheel=$(CACHE)/wheels/ansible-$(ANSIBLE_WHEEL_VERSION)-py3-none-any.whl
	[ -f "$$wheel" ] || $(PYTHON) -m pip download $(PIP_QUIET) --no-deps -d $(CACHE)/wheels ansible==$(ANSIBLE_WHEEL_VERSION) $(PIP_FILTER)
	rm -rf $(CACHE)/unpack && mkdir -p $(CACHE)/unpack
	$(PYTHON) -c "import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); z.extractall(sys.argv[2], [n for n in z.namelist() if n.startswith('ansible_collections/amazon/aws/')])" "$$wheel" $(CACHE)/unpack
	rm -rf $(AMAZON_AWS) && mv $(CACHE)/unpack/ansible_collections/amazon/aws $(AMAZON_AWS)
	rm -rf $(CACHE)/unpack
	touch $@

# Playbooks find this checkout as seed.comprehend through a symlink.
$(COLLECTIONS)/ansible_collections/seed/comprehend:
	mkdir -p $(COLLECTIONS)/ansible_collections/seed
	ln -sfn $(CURDIR) $@

# galaxy-importer's ansible-doc step only sees collections in its own site-packages.
$(SITE_AMAZON_AWS): $(VENV)/.installed $(AMAZON_AWS_STAMP)
	mkdir -p $(dir $@)
	ln -sfn $(AMAZON_AWS) $@

test: setup
	bash tests/run-all.sh

demo: setup
	python demo/demo.py

# Not part of `make test`: times the share_model role against the AWS CLI way and a minimal boto3 script (the
# floor), and the audit playbook against the floor of its reads (writes docs/benchmarks.md;
# `python bench/run.py --only audit` runs the audit alone).
bench: setup $(CACHE)/awscli/.installed
	$(BIN)/pip install $(PIP_QUIET) -r tests/requirements-bench.txt $(PIP_FILTER)
	python bench/run.py

# The AWS CLI in a virtualenv of its own: it pins docutils below what the docsite build in .venv needs.
$(CACHE)/awscli/.installed: tests/requirements-awscli.txt
	$(PYTHON) -m venv --clear $(CACHE)/awscli
	$(CACHE)/awscli/bin/pip install $(PIP_QUIET) -r tests/requirements-awscli.txt $(PIP_FILTER)
	touch $@

clean:
	rm -rf $(VENV) $(CACHE) tests/output build
