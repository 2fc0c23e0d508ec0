# Sourced by the scripts: puts the Swift toolchain on PATH when it is installed at /opt/swift.
if ! command -v swift >/dev/null && [ -x /opt/swift/usr/bin/swift ]; then
    export PATH="$PATH:/opt/swift/usr/bin"
fi
