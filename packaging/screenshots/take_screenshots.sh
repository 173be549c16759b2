#!/bin/sh
# take_screenshots.sh BUILD_DIR [SECONDS]
# Takes the AppStream screenshots (packaging/screenshots/*.png, referenced by the metainfo) from the
# real app: a private X server (Xvfb), FlowLens collecting on a loopback port while three
# synthetic exporters (NetFlow v9, IPFIX, sFlow from flowlens-cli gen) send it traffic; after
# SECONDS (default 240), while they still send, one picture per dashboard at 1600x900.
# Needs: xvfb (Xvfb), xdotool, imagemagick (import). Settings and data live in a temporary folder.
set -eu
build=$(cd "$1" && pwd)
seconds=${2:-240}
out=$(cd "$(dirname "$0")" && pwd)
for tool in Xvfb xdotool import; do
    command -v "$tool" >/dev/null 2>&1 || { echo "take_screenshots.sh: $tool is missing" >&2; exit 1; }
done

work=$(mktemp -d)
pids=""
cleanup() {
    for p in $pids; do kill "$p" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

export HOME="$work/home" XDG_RUNTIME_DIR="$work/run" XDG_CONFIG_HOME="$work/config" XDG_DATA_HOME="$work/data"
mkdir -p "$HOME" "$XDG_RUNTIME_DIR" "$XDG_CONFIG_HOME/FlowLens" "$XDG_DATA_HOME"
chmod 700 "$XDG_RUNTIME_DIR"
port=${FLOWLENS_SCREENSHOT_PORT:-39055}
# Last 5 minutes, collecting on one loopback port (NetFlow, IPFIX and sFlow share it).
printf '[collector]\nendpoints=127.0.0.1:%s\n[ui]\nrangePreset=0\n' "$port" >"$XDG_CONFIG_HOME/FlowLens/flowlens.conf"

display=:$((90 + $$ % 100))
Xvfb "$display" -screen 0 1600x900x24 -nolisten tcp >/dev/null 2>&1 &
pids="$pids $!"
export DISPLAY=$display
sleep 2
unset QT_QPA_PLATFORM
"$build/app/flowlens" --palette light >"$work/app.log" 2>&1 &
pids="$pids $!"
i=0
until window=$(xdotool search --name '^FlowLens' 2>/dev/null | head -n 1) && [ -n "$window" ]; do
    i=$((i + 1)); [ $i -le 60 ] || { cat "$work/app.log" >&2; exit 1; }
    sleep 1
done
xdotool windowmove "$window" 0 0 windowsize "$window" 1600 900
# No window manager: give the window the keyboard focus so XTEST key presses reach it.
xdotool windowfocus --sync "$window"

gen=$build/app/flowlens-cli
"$gen" gen --target "127.0.0.1:$port" --proto v9 --rate 1500 --duration "$((seconds + 90))" --seed 1 >/dev/null &
pids="$pids $!"
"$gen" gen --target "127.0.0.1:$port" --proto ipfix --rate 900 --duration "$((seconds + 90))" --seed 2 --domain 7 >/dev/null &
pids="$pids $!"
"$gen" gen --target "127.0.0.1:$port" --proto sflow --rate 400 --duration "$((seconds + 90))" --seed 3 --sampling 64 >/dev/null &
pids="$pids $!"
sleep "$seconds"

shot() {
    xdotool key "$1"
    sleep 6
    import -window root "$out/$2.png"
    echo "wrote $out/$2.png"
}
shot ctrl+1 overview
shot ctrl+2 talkers
xdotool key ctrl+3
xdotool key ctrl+l
xdotool type --delay 40 'dst port in [53 80 443 8080]'
xdotool key Return
shot ctrl+3 ports
xdotool key ctrl+shift+l
shot ctrl+5 flows
