# The two commands a newcomer runs (see README.md): `make demo` and `make test`.
# Both install whatever is missing first (scripts/setup.sh) and are quick when it is there.
.PHONY: setup build demo test bench

setup:
	@scripts/setup.sh

build: setup
	swift build --product rakis

demo: build
	@scripts/demo.sh

test: setup
	swift build --build-tests
	swift test

bench: setup
	swift build -c release --product rakis-bench
	taskset -c 0 .build/release/rakis-bench intake
