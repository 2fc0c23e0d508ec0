#!/usr/bin/env bash
# Installs what mcptop needs to build and test, and nothing when all of it is present.
# Idempotent: both README commands call it.
set -euo pipefail

# binutils: objcopy and strip for the shipped binaries (scripts/build-release.sh).
# prometheus (promtool) and prometheus-alertmanager: the shipped alert rules' unit tests and
# the fleet test (integration/fleet), which runs its own copies on ports of its own (on a
# systemd machine Debian also starts the packages' services, on :9090 and :9093);
# iproute2: the fleet test's network namespaces; zbar-tools: a QR reader for QRCodeReaderTests;
# systemd: systemd-analyze, which checks the shipped units (scripts/verify-units.sh; it needs no
# running systemd); procps: pkill, for the end-to-end scripts to stop a command's children when
# it overran its bound (integration/e2e/lib.sh).
packages=(libncursesw5-dev libcurl4-openssl-dev pkg-config tmux python3 python3-venv openssl ca-certificates binutils
    prometheus prometheus-alertmanager iproute2 zbar-tools systemd procps)

missing=()
for package in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$package")
    fi
done

if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing ${missing[*]}"
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null; then
            sudo="sudo"
        else
            echo "setup: need root (or sudo) to install: ${missing[*]}" >&2
            exit 1
        fi
    fi
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v swift >/dev/null; then
    if [ -x /opt/swift/usr/bin/swift ]; then
        echo "setup: swift is at /opt/swift/usr/bin; the scripts add it to PATH themselves" >&2
    else
        echo "setup: Swift 6 is not installed (https://www.swift.org/install/linux/)" >&2
        exit 1
    fi
fi
