#!/usr/bin/env bash
# GUI responsiveness under load: starts the desktop app under Xvfb with its latency probe on, collecting
# on a loopback port with the Overview dashboard live, sends NetFlow v9 at a fixed rate for a bounded
# time, and prints the longest GUI-thread stall and the 99th percentile event-loop lateness as rows of
# bench/run_all.sh's table. Loopback only; stops by itself.
# Usage: bench/gui_latency.sh [BUILD_DIR]   (env: GUI_RATE flows/s, default 100000; GUI_SECONDS, default 60)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$here/build}" && pwd)
rate=${GUI_RATE:-100000}
seconds=${GUI_SECONDS:-60}
work=$(mktemp -d /tmp/flowlens-gui-bench.XXXXXX)
trap 'pkill -f "$work" 2>/dev/null || true; rm -rf "$work"' EXIT
port=$((25000 + RANDOM % 2000))

command -v xvfb-run >/dev/null || { echo "gui_latency: xvfb-run is missing (apt-get install xvfb)" >&2; exit 1; }
[ -x "$build/app/flowlens" ] || { echo "gui_latency: $build/app/flowlens was not built" >&2; exit 1; }

# A private settings and data folder: the run never touches the user's own database or settings.
mkdir -p "$work/config/FlowLens" "$work/data"
cat >"$work/config/FlowLens/flowlens.conf" <<EOF
[collector]
endpoints=127.0.0.1:$port
database=$work/data/flows.db
EOF

probe="$work/probe.log"
mkdir -p -m 700 "$work/run" # its own runtime folder: the single-instance lock never meets a running app
XDG_RUNTIME_DIR="$work/run" XDG_CONFIG_HOME="$work/config" XDG_DATA_HOME="$work/data" FLOWLENS_LATENCY_PROBE="$probe" \
  timeout -s TERM $((seconds + 30)) xvfb-run -a -s "-screen 0 1600x1000x24" \
  "$build/app/flowlens" --db "$work/data/flows.db" >"$work/app.log" 2>&1 &
app=$!
sleep 5 # window up, collector bound
"$build/bench/flowlens-sender" --proto v9 --target "127.0.0.1:$port" --rate "$rate" --duration "$seconds" \
  >"$work/sender.log" 2>&1
sleep 3
# SIGTERM makes the app quit cleanly, which writes the probe's final report.
pkill -TERM -f "$build/app/flowlens --db $work" 2>/dev/null || true
wait "$app" 2>/dev/null || true

final=$(grep 'latency probe:' "$probe" | tail -1)
[ -n "$final" ] || { echo "gui_latency: no probe report; see $work/app.log" >&2; cat "$work/app.log" >&2; exit 1; }
lateness=${final#*lateness: }
lateness=${lateness%%|*}
longest=$(echo "$lateness" | sed -n 's/^longest \([0-9.]*\) ms.*/\1/p')
p99=$(echo "$lateness" | sed -n 's/.* p99 \([0-9.]*\),.*/\1/p')
busy=$(echo "$final" | sed -n 's/.*busy: longest \([0-9.]*\) ms.*/\1/p')
# The probe logs gaps over 50 ms and GUI-thread work over 25 ms; count the gaps over 50 ms.
stalls=$(awk '/ stall of /{for(i=1;i<=NF;i++) if($i=="of" && $(i+1)+0 > 50) n++} END{print n+0}' "$probe")
offered=$(awk '/^offered/{print $2}' "$work/sender.log")
label="GUI live @ $(python3 -c "print(f'{$rate/1e3:g}')")k flows/s, ${seconds} s"
printf '%-9s %-44s %16s %16s %9s\n' gui "$label: longest stall ms" "$longest" "-" "-"
printf '%-9s %-44s %16s %16s %9s\n' gui "$label: p99 event-loop lateness ms" "$p99" "-" "-"
printf '%-9s %-44s %16s %16s %9s\n' gui "$label: longest GUI-thread busy ms" "$busy" "-" "-"
printf '%-9s %-44s %16s %16s %9s\n' gui "$label: stalls over 50 ms (flows sent)" "$stalls ($offered)" "-" "-"
echo "$final" >&2
