#!/bin/sh
# package_test.sh BUILD_DIR
# Builds the Debian package of BUILD_DIR with cpack, unpacks it into a temporary root and checks
# what a user gets: control fields and dependencies, the files (binaries, desktop entry, metainfo,
# icons, man pages), desktop-file-validate and appstreamcli, that the packaged binaries run from
# system libraries (--version, --help), and single-instance behaviour of the packaged `flowlens`
# (offscreen): a second start exits 0 and the first one is asked to raise its window, --version
# and --export still work beside it, and a start after a crash (kill -9) takes over.
# Exit 77 (skipped) when a Debian packaging tool is missing.
set -eu

build=$(cd "$1" && pwd)
for tool in cpack dpkg-deb dpkg-shlibdeps desktop-file-validate appstreamcli readelf; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "SKIP: $tool is missing (./dev.sh installs it)"
        exit 77
    fi
done

work=$(mktemp -d)
pids=""
cleanup() {
    for p in $pids; do kill -9 "$p" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT
checks=0
fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { checks=$((checks + 1)); echo "ok $checks - $*"; }

# --- build and inspect the package ---------------------------------------------------------------
if ! cpack --config "$build/CPackConfig.cmake" -G DEB -B "$work/out" >"$work/cpack.log" 2>&1; then
    cat "$work/cpack.log" >&2
    fail "cpack -G DEB"
fi
set -- "$work"/out/flowlens_*.deb
[ $# -eq 1 ] && [ -f "$1" ] || fail "expected one flowlens_*.deb, got: $*"
deb=$1
ok "cpack built $(basename "$deb")"

field() { dpkg-deb --field "$deb" "$1"; }
[ "$(field Package)" = flowlens ] || fail "Package is $(field Package)"
version=$(field Version)
case $version in *-1) ;; *) fail "Version $version has no Debian revision" ;; esac
upstream=${version%-*}
ok "Package flowlens, Version $version"
depends=$(field Depends)
for dep in libqt6core6 libqt6gui6 libqt6widgets6 libqt6network6 libqt6charts6 libqt6svg6 \
    libsqlite3-0 libzstd1 libpcap0.8 libmaxminddb0 libc6; do
    echo "$depends" | tr ',' '\n' | sed 's/^ *//' | grep -q "^$dep\b" || fail "Depends lacks $dep: $depends"
done
ok "Depends: $depends"
dpkg-deb --control "$deb" "$work/control"
for script in preinst postinst prerm postrm; do
    [ ! -e "$work/control/$script" ] || fail "unexpected maintainer script $script"
done
ok "no maintainer scripts (dpkg triggers refresh icons, desktop database and man index)"

root=$work/root
dpkg-deb -x "$deb" "$root"
id=io.github.flowlens.FlowLens
for f in usr/bin/flowlens usr/bin/flowlens-cli \
    usr/share/applications/$id.desktop usr/share/metainfo/$id.metainfo.xml \
    usr/share/icons/hicolor/scalable/apps/$id.svg \
    usr/share/man/man1/flowlens.1.gz usr/share/man/man1/flowlens-cli.1.gz; do
    [ -f "$root/$f" ] || fail "missing /$f"
done
ok "binaries, desktop entry, metainfo, scalable icon and man pages are in /usr"
[ -x "$root/usr/bin/flowlens" ] && [ -x "$root/usr/bin/flowlens-cli" ] || fail "binaries are not executable"

# PNG icons: each hicolor size holds a PNG of exactly that size (IHDR width and height).
png_size() { od -An -tu1 -j16 -N8 "$1" | awk '{ printf "%dx%d", $1*16777216+$2*65536+$3*256+$4, $5*16777216+$6*65536+$7*256+$8 }'; }
for s in 16 22 24 32 48 64 128 256 512; do
    png=$root/usr/share/icons/hicolor/${s}x${s}/apps/$id.png
    [ -f "$png" ] || fail "missing ${s}x${s} icon"
    [ "$(png_size "$png")" = "${s}x${s}" ] || fail "${s}x${s} icon is $(png_size "$png")"
done
ok "PNG icons 16..512 with the right dimensions"

# Nothing outside /usr, nothing from the build tree.
extra=$(cd "$root" && find . -mindepth 1 -maxdepth 1 ! -name usr)
[ -z "$extra" ] || fail "files outside /usr: $extra"
for b in flowlens flowlens-cli; do
    if readelf -d "$root/usr/bin/$b" | grep -Eq 'RPATH|RUNPATH'; then fail "$b has an RPATH"; fi
    if ldd "$root/usr/bin/$b" | grep -q 'not found'; then fail "$b: $(ldd "$root/usr/bin/$b" | grep 'not found')"; fi
    if readelf -S "$root/usr/bin/$b" | grep -q '\.debug_info'; then fail "$b is not stripped"; fi
done
ok "binaries are stripped, have no RPATH and find all their libraries in the system"

desktop-file-validate "$root/usr/share/applications/$id.desktop" || fail "desktop-file-validate"
ok "desktop-file-validate"
appstreamcli validate --no-net "$root/usr/share/metainfo/$id.metainfo.xml" >"$work/as.log" 2>&1 ||
    { cat "$work/as.log" >&2; fail "appstreamcli validate"; }
ok "appstreamcli validate"
grep -q "<launchable type=\"desktop-id\">$id.desktop</launchable>" "$root/usr/share/metainfo/$id.metainfo.xml" ||
    fail "metainfo does not launch $id.desktop"
grep -q "<release version=\"$upstream\"" "$root/usr/share/metainfo/$id.metainfo.xml" ||
    fail "metainfo has no release $upstream"
icon=$(sed -n 's/^Icon=//p' "$root/usr/share/applications/$id.desktop")
[ "$icon" = "$id" ] || fail "desktop entry Icon=$icon"
exec_line=$(sed -n 's/^Exec=//p' "$root/usr/share/applications/$id.desktop")
program=${exec_line%% *}
[ -x "$root/usr/bin/$program" ] || fail "Exec=$exec_line does not name a packaged program"
ok "desktop entry: Exec=$exec_line and Icon=$icon are in the package; metainfo names it and release $upstream"

for page in flowlens flowlens-cli; do
    text=$(MANWIDTH=100 man -l "$root/usr/share/man/man1/$page.1.gz" 2>"$work/man.err") || fail "man $page"
    [ ! -s "$work/man.err" ] || fail "man $page: $(cat "$work/man.err")"
    echo "$text" | grep -q "$page" || fail "man $page does not name $page"
done
cli_page=$(MANWIDTH=100 man -l "$root/usr/share/man/man1/flowlens-cli.1.gz" 2>/dev/null)
for word in collect import top flows exporters gen --db --filter --retention "Exit codes"; do
    echo "$cli_page" | grep -q -- "$word" || fail "man flowlens-cli does not mention $word"
done
ok "man pages render; flowlens-cli's documents every command"

# --- the packaged programs, with system libraries only -------------------------------------------
unset LD_LIBRARY_PATH QT_PLUGIN_PATH QT_QPA_PLATFORM
cli=$root/usr/bin/flowlens-cli
app=$root/usr/bin/flowlens
[ "$("$cli" --version | head -n 1)" = "flowlens-cli $upstream" ] || fail "flowlens-cli --version: $("$cli" --version)"
"$cli" --version | grep -q '^Libraries: Qt ' || fail "flowlens-cli --version lists no libraries"
[ "$("$app" --version | head -n 1)" = "flowlens $upstream" ] || fail "flowlens --version: $("$app" --version)"
"$app" --help | grep -q -- '--export' || fail "flowlens --help"
ok "packaged flowlens-cli --version, flowlens --version and --help"

# --- single instance -----------------------------------------------------------------------------
export HOME="$work/home" XDG_RUNTIME_DIR="$work/run" XDG_CONFIG_HOME="$work/config" XDG_DATA_HOME="$work/data"
export QT_QPA_PLATFORM=offscreen
mkdir -p "$HOME" "$XDG_RUNTIME_DIR" "$XDG_CONFIG_HOME/FlowLens" "$XDG_DATA_HOME"
chmod 700 "$XDG_RUNTIME_DIR"
# Collect on a loopback port the system picks, so the test never competes for 2055/4739/6343.
printf '[collector]\nendpoints=127.0.0.1:0\n' >"$XDG_CONFIG_HOME/FlowLens/flowlens.conf"
socket=$XDG_RUNTIME_DIR/$id.socket

start_first() {
    "$app" >"$work/$1.log" 2>&1 &
    first=$!
    pids="$pids $first"
    i=0
    while [ ! -S "$socket" ]; do
        i=$((i + 1))
        [ $i -le 300 ] || fail "first instance made no socket in 30 s: $(cat "$work/$1.log")"
        kill -0 "$first" 2>/dev/null || fail "first instance exited: $(cat "$work/$1.log")"
        sleep 0.1
    done
}
second_start() {
    rc=0
    timeout 30 "$app" >"$work/second.log" 2>&1 || rc=$?
    [ $rc -eq 0 ] || fail "second start exited $rc: $(cat "$work/second.log")"
    grep -q "already running (process $first)" "$work/second.log" || fail "second start said: $(cat "$work/second.log")"
    i=0
    until grep -q "another start asked for this window" "$work/$1.log"; do
        i=$((i + 1))
        [ $i -le 100 ] || fail "first instance got no raise request: $(cat "$work/$1.log")"
        sleep 0.1
    done
    kill -0 "$first" 2>/dev/null || fail "first instance died"
}

start_first first
second_start first
ok "second start exits 0 and the first instance is asked to raise its window"

[ "$("$app" --version | head -n 1)" = "flowlens $upstream" ] || fail "--version beside a running instance"
"$cli" --version >/dev/null || fail "flowlens-cli --version beside a running instance"
pcap=${FLOWLENS_VECTORS:-}/scapy/netflowv9.pcap
if [ -f "$pcap" ]; then
    "$cli" import --db "$work/export.db" "$pcap" >/dev/null 2>"$work/import.log" ||
        fail "flowlens-cli import: $(cat "$work/import.log")"
    "$app" --db "$work/export.db" --export overview --out "$work/overview.png" --width 800 --height 500 ||
        fail "--export beside a running instance"
    [ "$(png_size "$work/overview.png")" = "800x500" ] || fail "export is $(png_size "$work/overview.png")"
    ok "--version, flowlens-cli and --export work while an instance runs"
else
    ok "--version and flowlens-cli work while an instance runs (no vectors: --export not tried)"
fi

# A crash leaves the lock and the socket behind; the next start must take over.
kill -9 "$first"
wait "$first" 2>/dev/null || true
[ -S "$socket" ] || fail "kill -9 should leave the socket file behind"
start_first restarted
sleep 1
kill -0 "$first" 2>/dev/null || fail "start after a crash exited: $(cat "$work/restarted.log")"
second_start restarted
ok "a start after a crash (stale lock and socket) becomes the running instance"

kill -TERM "$first"
wait "$first" 2>/dev/null || true
echo "all $checks checks passed"
