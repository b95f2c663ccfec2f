#!/usr/bin/env bash
# Installs Wirewatch on Debian 12. Idempotent: run it again after an upgrade.
#
#   deploy/install.sh              runtime packages, release binaries, systemd unit, default config
#   deploy/install.sh --deps-only  only the packages needed to build and test (what CI runs)
#   deploy/install.sh --no-build   install binaries already built in .build/release
set -euo pipefail

usage() {
    sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'
}

deps_only=0
build=1
for arg in "$@"; do
    case "$arg" in
        --deps-only) deps_only=1 ;;
        --no-build) build=0 ;;
        -h|--help) usage; exit 0 ;;
        *) echo "install.sh: unknown option '$arg'" >&2; usage >&2; exit 64 ;;
    esac
done

if [ "$(id -u)" -ne 0 ]; then
    echo "install.sh: run as root (it installs packages and files under /usr/local and /etc)" >&2
    exit 1
fi

repo="$(cd "$(dirname "$0")/.." && pwd)"
export DEBIAN_FRONTEND=noninteractive

apt_install() {
    local missing=()
    for package in "$@"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
    done
    if [ "${#missing[@]}" -eq 0 ]; then
        echo "== packages already installed: $*"
        return
    fi
    echo "== installing packages: ${missing[*]}"
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Build and test: the C libraries' headers (pkg-config finds them); Python for the schema tests.
build_packages=(pkg-config libzmq3-dev libcld2-dev libxml2-dev libsystemd-dev libstemmer-dev libsqlite3-dev)
# Run: the shared libraries only.
runtime_packages=(libzmq5 libcld2-0 libxml2 libsystemd0 libstemmer0d libsqlite3-0)

if [ "$deps_only" -eq 1 ]; then
    apt_install "${build_packages[@]}"
    # The schema tests validate real output with the python3 on PATH (which may not be Debian's).
    if ! command -v python3 >/dev/null; then apt_install python3; fi
    if ! python3 -c 'import jsonschema' 2>/dev/null; then
        echo "== installing Python's jsonschema"
        python3 -m pip install -q jsonschema 2>/dev/null || apt_install python3-jsonschema
    fi
    echo "== build and test dependencies are in place"
    exit 0
fi

apt_install "${runtime_packages[@]}"

if [ "$build" -eq 1 ]; then
    apt_install "${build_packages[@]}"
    echo "== building release binaries (swift build -c release)"
    (cd "$repo" && swift build -c release --product wirewatchd && swift build -c release --product wirewatch)
fi
for binary in wirewatchd wirewatch; do
    if [ ! -x "$repo/.build/release/$binary" ]; then
        echo "install.sh: $repo/.build/release/$binary is missing; run without --no-build" >&2
        exit 1
    fi
    echo "== installing /usr/local/bin/$binary"
    install -m 0755 "$repo/.build/release/$binary" "/usr/local/bin/$binary"
done

echo "== installing /etc/systemd/system/wirewatchd.service"
install -m 0644 "$repo/systemd/wirewatchd.service" /etc/systemd/system/wirewatchd.service
install -d -m 0755 /etc/wirewatch /usr/local/share/doc/wirewatch
if [ -e /etc/wirewatch/wirewatch.yaml ]; then
    echo "== keeping existing /etc/wirewatch/wirewatch.yaml"
else
    echo "== installing /etc/wirewatch/wirewatch.yaml"
    install -m 0644 "$repo/deploy/wirewatch.yaml" /etc/wirewatch/wirewatch.yaml
fi
install -m 0644 "$repo/README.md" /usr/local/share/doc/wirewatch/README.md
/usr/local/bin/wirewatchd --config /etc/wirewatch/wirewatch.yaml --check-config >/dev/null

if [ -d /run/systemd/system ]; then
    echo "== reloading systemd"
    systemctl daemon-reload
    echo "== done: systemctl enable --now wirewatchd"
else
    echo "== done (systemd is not running here: start it with wirewatchd --config /etc/wirewatch/wirewatch.yaml)"
fi
