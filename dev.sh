#!/usr/bin/env bash
# FlowLens on a Debian 12 machine: installs what is missing, builds (Release), then
#   ./dev.sh start   starts the FlowLens desktop app (collecting on UDP 2055/4739/6343 into
#                    ~/.local/share/flowlens/flows.db; headless flowlens-cli collect without a display)
#   ./dev.sh test    runs every test (ctest)
#   ./dev.sh build   only builds
# Safe to run again: packages already installed are skipped, the build is incremental.
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")"

BUILD_DIR=${FLOWLENS_BUILD_DIR:-build}
PACKAGES=(
  # toolchain (clang + its libFuzzer runtime for fuzz/run.sh and the "fuzz" ctest)
  g++ cmake ninja-build pkg-config git clang libclang-rt-14-dev
  # libraries
  qt6-base-dev qt6-charts-dev qt6-svg-dev libqt6svg6 libgl-dev qtkeychain-qt6-dev
  libsqlite3-dev libzstd-dev zlib1g-dev libpcap-dev libmaxminddb-dev libexpected-dev libbenchmark-dev
  # tools the tests and benchmarks compare with or drive
  tshark softflowd nfdump xvfb xauth openssl
  # packaging: icons and man pages at build time; the package test (cpack DEB, validators, man)
  librsvg2-bin help2man dpkg-dev desktop-file-utils appstream man-db
)

install_missing() {
  local missing=()
  for p in "${PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$p")
    fi
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "dev.sh: installing ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  # tshark asks whether non-root users may capture; answer no without a prompt.
  echo "wireshark-common wireshark-common/install-setuid boolean false" | $sudo debconf-set-selections
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
}

build() {
  cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release ${FLOWLENS_CMAKE_ARGS:-} >/dev/null
  cmake --build "$BUILD_DIR" -j "$(nproc)"
}

cmd=${1:-start}
shift || true
case "$cmd" in
  start)
    install_missing
    build
    data="${XDG_DATA_HOME:-$HOME/.local/share}/flowlens"
    mkdir -p "$data"
    if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
      # No desktop session (ssh, container): collect headless into the database the app opens.
      echo "dev.sh: no display; collecting headless (open the app later to see $data/flows.db)" >&2
      exec "$BUILD_DIR/app/flowlens-cli" collect --db "$data/flows.db" "$@"
    fi
    exec "$BUILD_DIR/app/flowlens" "$@"
    ;;
  test)
    install_missing
    build
    cd "$BUILD_DIR"
    exec ctest --output-on-failure --timeout 900 -j "$(nproc)" "$@"
    ;;
  build)
    install_missing
    build
    ;;
  *)
    echo "usage: ./dev.sh start|test|build" >&2
    exit 2
    ;;
esac
