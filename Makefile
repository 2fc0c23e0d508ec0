# The README's commands. Each installs what it needs first (scripts/setup.sh).
.PHONY: test demo build setup bench clean

test:
	scripts/test.sh

demo: setup
	. scripts/env.sh && swift build -c release --product mcptop && .build/release/mcptop demo

build: setup
	. scripts/env.sh && swift build -c release

setup:
	scripts/setup.sh

bench:
	bench/run.sh

clean:
	rm -rf .build .venv-interop
