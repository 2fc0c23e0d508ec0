# The README's commands. Each installs what it needs first (scripts/setup.sh).
.PHONY: test build setup bench clean

test:
	scripts/test.sh

build: setup
	. scripts/env.sh && swift build -c release

setup:
	scripts/setup.sh

bench:
	bench/run.sh

clean:
	rm -rf .build .venv-interop
