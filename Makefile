# The README's commands. Each installs what it needs first (scripts/setup.sh).
.PHONY: test demo build install uninstall setup bench clean

# Where `make install` puts mcptop: PREFIX/bin, PREFIX/share/{mcptop,man,…}. DESTDIR is
# prepended for staged installs (packaging).
PREFIX ?= /usr/local
DESTDIR ?=

test:
	scripts/test.sh

demo: setup
	bin="$$(scripts/build-release.sh mcptop mcptop-demo-server)" && "$$bin/mcptop" demo

# The stripped binaries land in .build/shipped (with their debug info as *.debug beside them).
build: setup
	scripts/build-release.sh mcptop mcptop-demo-server >/dev/null

install: setup
	scripts/install.sh "$(DESTDIR)$(PREFIX)"

uninstall:
	scripts/install.sh --uninstall "$(DESTDIR)$(PREFIX)"

setup:
	scripts/setup.sh

bench:
	bench/run.sh

clean:
	rm -rf .build .venv-interop
