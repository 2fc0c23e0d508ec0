# The README's commands. Each installs what it needs first (scripts/setup.sh).
.PHONY: test demo build setup bench clean

test:
	scripts/test.sh

demo: setup
	bin="$$(scripts/build-release.sh mcptop)" && "$$bin/mcptop" demo

build: setup
	scripts/build-release.sh mcptop mcptop-demo-server >/dev/null

setup:
	scripts/setup.sh

bench:
	bench/run.sh

clean:
	rm -rf .build .venv-interop
