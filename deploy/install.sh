#!/usr/bin/env bash
# Installs Wirewatch on Debian 12. Idempotent: run it again after an upgrade. Run it as root.
#
#   deploy/install.sh              runtime packages, release binaries, systemd unit, default config
#   deploy/install.sh --deps-only  only the packages needed to build and test (what CI runs)
#   deploy/install.sh --no-build   install the binaries already built in .build/release
#   deploy/install.sh --help       this text
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

# The repository root is the script's parent directory, wherever it is run from.
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export DEBIAN_FRONTEND=noninteractive

# Build and test: the C libraries' headers (pkg-config finds them), PostgreSQL for the shared-store tests,
# Python's jsonschema for the schema tests.
build_packages=(pkg-config libzmq3-dev libcld2-dev libxml2-dev libsystemd-dev libstemmer-dev libsqlite3-dev
    libzstd-dev postgresql python3-jsonschema)
# Run: the shared libraries, and the sqlite3 shell for looking into the state database.
runtime_packages=(libzmq5 libcld2-0 libxml2 libsystemd0 libstemmer0d libsqlite3-0 libzstd1 sqlite3)

apt_updated=0
# Installs the packages that are missing; refreshes the package lists first (once), only when something is.
apt_install() {
    local missing=()
    for package in "$@"; do
        [ "$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null)" = "install ok installed" ] || missing+=("$package")
    done
    if [ "${#missing[@]}" -eq 0 ]; then
        echo "== packages already installed: $*"
        return
    fi
    if [ "$apt_updated" -eq 0 ]; then
        echo "== apt-get update"
        apt-get update -qq
        apt_updated=1
    fi
    echo "== apt-get install ${missing[*]}"
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

if [ "$deps_only" -eq 1 ]; then
    apt_install "${build_packages[@]}"
    # The schema tests run the python3 on PATH, which may not be Debian's (pyenv, a venv): make sure that one
    # can import jsonschema too.
    if ! python3 -c 'import jsonschema' 2>/dev/null; then
        echo "== pip install jsonschema (for $(command -v python3))"
        python3 -m pip install -q jsonschema
    fi
    echo "== build and test dependencies are in place"
    exit 0
fi

apt_install "${runtime_packages[@]}"

if [ "$build" -eq 1 ]; then
    apt_install "${build_packages[@]}"
    # With the Swift runtime and Foundation linked in: the binaries do not depend on this toolchain staying
    # installed, and the runtime calls made per token are direct (the analysis about 3 % faster).
    echo "== swift build -c release --static-swift-stdlib --product wirewatchd, --product wirewatch (in $repo)"
    (cd "$repo" && swift build -c release --static-swift-stdlib --product wirewatchd \
        && swift build -c release --static-swift-stdlib --product wirewatch)
fi
for binary in wirewatchd wirewatch; do
    if [ ! -x "$repo/.build/release/$binary" ]; then
        echo "install.sh: $repo/.build/release/$binary is missing; run without --no-build" >&2
        exit 1
    fi
    echo "== installing /usr/local/bin/$binary"
    # install(1) replaces the file rather than writing into it, so a running daemon is not disturbed.
    install -m 0755 "$repo/.build/release/$binary" "/usr/local/bin/$binary"
done
# The analysis models, gazetteer and lexicons, where the binaries look for them (../share/wirewatch/resources).
echo "== installing /usr/local/share/wirewatch/resources"
rm -rf /usr/local/share/wirewatch/resources.new
install -d -m 0755 /usr/local/share/wirewatch/resources.new
cp -R "$repo/Sources/Analysis/Resources/." /usr/local/share/wirewatch/resources.new/
chmod -R a+rX /usr/local/share/wirewatch/resources.new
rm -rf /usr/local/share/wirewatch/resources
mv /usr/local/share/wirewatch/resources.new /usr/local/share/wirewatch/resources
# Binaries built without --static-swift-stdlib (--no-build) link the toolchain's Swift runtime: it must stay installed.
libraries="$(ldd /usr/local/bin/wirewatchd)"
if grep -q 'not found' <<<"$libraries"; then
    echo "install.sh: /usr/local/bin/wirewatchd cannot find its libraries:" >&2
    grep 'not found' <<<"$libraries" >&2
    exit 1
fi
swift_runtime="$(awk '$1 == "libswiftCore.so" { print $3 }' <<<"$libraries")"
if [ -n "$swift_runtime" ]; then
    echo "== note: the binaries use the Swift runtime in $(dirname "$swift_runtime"); keep that toolchain installed"
fi

echo "== installing /etc/systemd/system/wirewatchd.service"
install -m 0644 "$repo/systemd/wirewatchd.service" /etc/systemd/system/wirewatchd.service
install -d -m 0755 /etc/wirewatch /usr/local/share/doc/wirewatch
if [ -e /etc/wirewatch/wirewatch.yaml ]; then
    echo "== keeping the existing /etc/wirewatch/wirewatch.yaml"
else
    echo "== installing /etc/wirewatch/wirewatch.yaml"
    install -m 0644 "$repo/deploy/wirewatch.yaml" /etc/wirewatch/wirewatch.yaml
fi
echo "== installing /usr/local/share/doc/wirewatch/README.md"
install -m 0644 "$repo/README.md" /usr/local/share/doc/wirewatch/README.md
echo "== checking /etc/wirewatch/wirewatch.yaml"
/usr/local/bin/wirewatchd --config /etc/wirewatch/wirewatch.yaml --check-config >/dev/null

if [ -d /run/systemd/system ]; then
    echo "== systemctl daemon-reload"
    systemctl daemon-reload
    if systemctl is-active --quiet wirewatchd.service; then
        echo "== restarting the running wirewatchd (it drains before stopping)"
        systemctl restart wirewatchd.service
    else
        echo "== done: systemctl enable --now wirewatchd"
    fi
else
    echo "== done (systemd is not running here: start it with wirewatchd --config /etc/wirewatch/wirewatch.yaml)"
fi
