#!/usr/bin/env bash
# Runs every FlowLens benchmark next to its peer on this machine and prints one table:
#   decode   Google Benchmark over real vectors and generated datagrams (records/s per core)
#   ingest   loopback load at fixed rates into flowlens-cli collect and into nfcapd, same sender
#   query    a day of flows (made by the ingest path) queried by FlowLens and by nfdump -s
# Figures are printed, never asserted. Bounded: about 25 minutes with the defaults; BENCH_QUICK=1
# runs a reduced set in about 4 minutes. Loopback only.
# Usage: bench/run_all.sh [BUILD_DIR]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$here/build}" && pwd)
cli=$build/app/flowlens-cli
sender=$build/bench/flowlens-sender
capture=$build/bench/flowlens-capture
querybench=$build/bench/flowlens-querybench
quick=${BENCH_QUICK:-0}
sections=${BENCH_SECTIONS:-decode ingest query gui} # run a subset, e.g. BENCH_SECTIONS="ingest query"
want() { case " $sections " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }
work=$(mktemp -d /tmp/flowlens-bench.XXXXXX)
trap 'pkill -f "$work" 2>/dev/null || true; rm -rf "$work"' EXIT
table="$work/table.txt"
: >"$table"
row() { printf '%-9s %-52s %16s %16s %9s\n' "$@" >>"$table"; }
ratio() { python3 -c "import sys; a,b=float(sys.argv[1]),float(sys.argv[2]); print(f'{a/b:.2f}' if b else '-')" "$1" "$2"; }
port=$((23000 + RANDOM % 2000))

echo "load before: $(cut -d" " -f1-3 /proc/loadavg)" >"$work/load.txt"
echo "machine: $(nproc) cores, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -r); $(date -u +%FT%TZ)" | tee "$work/machine.txt"
echo "peers: $(nfcapd -V 2>&1 | head -1)" | tee -a "$work/machine.txt"
# Enrichment as a user has it: the GeoIP databases the collector would find by itself (./dev.sh
# geoip puts DB-IP's city database there), passed explicitly. BENCH_GEOIP=0 runs without them.
geoip_args=()
if [ "${BENCH_GEOIP:-1}" = 1 ]; then
  for f in "${XDG_DATA_HOME:-$HOME/.local/share}"/flowlens/geoip/*.mmdb /usr/share/GeoIP/*.mmdb /var/lib/GeoIP/*.mmdb; do
    [ -f "$f" ] && geoip_args+=(--geoip "$f")
  done
fi
[ ${#geoip_args[@]} -gt 0 ] || geoip_args=(--no-geoip)
echo "enrichment: ${geoip_args[*]} (address classes always)" | tee -a "$work/machine.txt"

# ---------------------------------------------------------------------------------------------
want decode && echo "== decode" >&2
for b in bench_decode bench_sflow; do
  want decode || break
  [ -x "$build/bench/$b" ] || continue
  "$build/bench/$b" --benchmark_min_time=$([ "$quick" = 1 ] && echo 0.2 || echo 1) --benchmark_format=json \
    2>/dev/null >"$work/$b.json" || true
  python3 - "$work/$b.json" >>"$table" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for b in d.get("benchmarks", []):
    rate = b.get("items_per_second", b.get("records/s"))
    if rate:
        print(f"{'decode':<9} {b['name'][:52]:<52} {rate/1e6:13.2f} M/s {'-':>16} {'-':>9}")
PY
done

# ---------------------------------------------------------------------------------------------
want ingest && echo "== ingest" >&2
seconds=$([ "$quick" = 1 ] && echo 4 || echo 8)
rates=$([ "$quick" = 1 ] && echo "250000 1000000 2000000" || echo "250000 500000 1000000 2000000 4000000")
protos=$([ "$quick" = 1 ] && echo "v5" || echo "v5 v9 ipfix")
want ingest || protos=""
# At 2 M flows/s both collectors are past what two shared cores can do and the stored share swings
# by 10-20 points from one minute to the next (host load): that rate runs BENCH_REPS times (3),
# FlowLens and nfcapd alternating, and the table gives the medians (each run is listed below it).
reps_at_2m=${BENCH_REPS:-$([ "$quick" = 1 ] && echo 1 || echo 3)}
median() { python3 -c "import sys, statistics; print(statistics.median(float(x) for x in sys.argv[1:]))" "$@"; }
for proto in $protos; do
  for rate in $rates; do
    reps=1
    [ "$rate" = 2000000 ] && reps=$reps_at_2m
    fl_stored=(); fl_offered=(); fl_cpus=(); fl_rss=(); fl_bpfs=()
    nf_stored=(); nf_offered=(); nf_cpus=(); nf_rss=(); nf_bpfs=()
    for rep in $(seq "$reps"); do
      # FlowLens: stops by itself after the load (--duration), storing everything it received.
      db="$work/ingest-$proto-$rate.db"
      /usr/bin/time -f "%U %S %M" -o "$work/fl.time" "$cli" collect --db "$db" --listen "127.0.0.1:$port" \
        "${geoip_args[@]}" --quiet --duration $((seconds + 4)) 2>"$work/fl.err" &
      sleep 1
      offered=$("$sender" --proto "$proto" --target "127.0.0.1:$port" --rate "$rate" --duration "$seconds" 2>&1 |
        awk '/^offered/{print $2}')
      wait
      stored=$(awk '/^stopped:/{for(i=1;i<=NF;i++) if($i=="stored,") print $(i-1)}' "$work/fl.err")
      read -r u s rss < <(tail -1 "$work/fl.time")
      disk=$(du -sb "$db"* | awk '{t+=$1} END{print t}')
      fl_stored+=("${stored:-0}"); fl_offered+=("$offered"); fl_rss+=("$((rss / 1024))")
      fl_cpus+=("$(python3 -c "print(f'{$u+$s:.2f}')")")
      fl_bpfs+=("$(python3 -c "print(f'{$disk/max(${stored:-0},1):.1f}')")")
      rm -rf "$db"*
      # nfcapd with the same sender.
      dir="$work/nfcapd-$proto-$rate"
      mkdir -p "$dir"
      /usr/bin/time -f "%U %S %M" -o "$work/nf.time" timeout -s TERM $((seconds + 3)) \
        nfcapd -b 127.0.0.1 -p "$port" -w "$dir" -t 3600 -y >/dev/null 2>&1 &
      sleep 1
      offered2=$("$sender" --proto "$proto" --target "127.0.0.1:$port" --rate "$rate" --duration "$seconds" 2>&1 |
        awk '/^offered/{print $2}')
      wait || true
      nstored=$(nfdump -R "$dir" -I 2>/dev/null | awk -F': ' '/^Flows:/{print $2}')
      read -r nu ns nrss < <(tail -1 "$work/nf.time")
      ndisk=$(du -sb "$dir" | awk '{print $1}')
      nf_stored+=("${nstored:-0}"); nf_offered+=("$offered2"); nf_rss+=("$((nrss / 1024))")
      nf_cpus+=("$(python3 -c "print(f'{$nu+$ns:.2f}')")")
      nf_bpfs+=("$(python3 -c "print(f'{$ndisk/max(${nstored:-0},1):.1f}')")")
      rm -rf "$dir"
    done
    stored=$(median "${fl_stored[@]}" | cut -d. -f1); offered=$(median "${fl_offered[@]}" | cut -d. -f1)
    nstored=$(median "${nf_stored[@]}" | cut -d. -f1); offered2=$(median "${nf_offered[@]}" | cut -d. -f1)
    fl_cpu=$(median "${fl_cpus[@]}"); nf_cpu=$(median "${nf_cpus[@]}")
    rss=$(median "${fl_rss[@]}" | cut -d. -f1); nrss=$(median "${nf_rss[@]}" | cut -d. -f1)
    fl_bpf=$(median "${fl_bpfs[@]}"); nf_bpf=$(median "${nf_bpfs[@]}")
    fl_loss=$(python3 -c "print(f'{100*(1-$stored/$offered):.2f}')")
    nf_loss=$(python3 -c "print(f'{100*(1-$nstored/$offered2):.2f}')")
    label="$proto @ $(python3 -c "print(f'{$rate/1e6:g}')")M flows/s"
    [ "$reps" -gt 1 ] && label="$label (median of $reps)"
    row ingest "$label: stored / offered" "$stored/$offered" "$nstored/$offered2" \
      "$(ratio "$(python3 -c "print($stored/$offered)")" "$(python3 -c "print($nstored/$offered2)")")"
    row ingest "$label: loss %" "$fl_loss" "$nf_loss" "-"
    if [ "$reps" -gt 1 ]; then
      for i in $(seq 0 $((reps - 1))); do
        row ingest "  run $((i + 1)): stored %" \
          "$(python3 -c "print(f'{100*${fl_stored[$i]}/${fl_offered[$i]}:.2f}')")" \
          "$(python3 -c "print(f'{100*${nf_stored[$i]}/${nf_offered[$i]}:.2f}')")" \
          "$(ratio "$(python3 -c "print(${fl_stored[$i]}/${fl_offered[$i]})")" "$(python3 -c "print(${nf_stored[$i]}/${nf_offered[$i]})")")"
      done
    fi
    row ingest "$label: CPU seconds" "$fl_cpu" "$nf_cpu" "$(ratio "$fl_cpu" "$nf_cpu")"
    row ingest "$label: peak RSS MB" "$rss" "$nrss" "$(ratio "$rss" "$nrss")"
    row ingest "$label: disk bytes per flow" "$fl_bpf" "$nf_bpf" "$(ratio "$fl_bpf" "$nf_bpf")"
  done
done

# ---------------------------------------------------------------------------------------------
if want query; then
echo "== query" >&2
flows=$([ "$quick" = 1 ] && echo 1000000 || echo 10000000)
"$capture" write --proto v5 --flows "$flows" --span 86400 --out "$work/day.pcap" 2>>"$work/query.log"
start=$(date +%s.%N)
"$cli" import --db "$work/day.db" "${geoip_args[@]}" "$work/day.pcap" 2>>"$work/query.log"
import_s=$(python3 -c "import time; print(f'{time.time()-$start:.1f}')")
row query "build: $flows flows over 24 h (import), seconds" "$import_s" "-" "-"
mkdir -p "$work/nfday"
timeout -s TERM 600 nfcapd -b 127.0.0.1 -p "$port" -w "$work/nfday" -t 86400 -y >/dev/null 2>&1 &
nfpid=$!
sleep 1
"$capture" replay --in "$work/day.pcap" --target "127.0.0.1:$port" --rate 200000 2>>"$work/query.log"
sleep 2
kill -TERM $nfpid; wait $nfpid 2>/dev/null || true
nf_total=$(nfdump -R "$work/nfday" -I | awk -F': ' '/^Flows:/{print $2}')
row query "flows stored (FlowLens import / nfcapd replay)" "$flows" "$nf_total" "-"
end=$(date +%s)
"$querybench" --db "$work/day.db" --end "$end" --runs 5 >"$work/querybench.txt"
nftime() { # window-seconds args... -> median wall ms of 3 runs
  local w=$1; shift
  local from to
  from=$(date -d "@$((end - w))" +%Y/%m/%d.%H:%M:%S); to=$(date -d "@$end" +%Y/%m/%d.%H:%M:%S)
  python3 - "$work/nfday" "$from-$to" "$@" <<'PY'
import subprocess, sys, time
d, window, args = sys.argv[1], sys.argv[2], sys.argv[3:]
t = []
for _ in range(3):
    s = time.time()
    subprocess.run(["nfdump", "-R", d, "-t", window, *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    t.append((time.time() - s) * 1000)
print(f"{sorted(t)[1]:.1f}")
PY
}
declare -A nfargs=([src]="-s srcip/bytes -n 10" [dst]="-s dstip/bytes -n 10" [pair]="-A srcip,dstip -O bytes -n 10"
                   [dstport]="-s dstport/bytes -n 10" [proto]="-s proto/bytes -n 10")
declare -A winsec=([5m]=300 [1h]=3600 [24h]=86400)
while read -r kind dim win ms how exact; do
  [ "$kind" = top ] || continue
  how=${how//-/ }
  if [ -z "${nfargs[$dim]:-}" ]; then # countries: nfdump has no GeoIP lookup of its own here
    row query "top-10 $dim, last $win (ms; $how, $exact)" "$ms" "-" "-"
    continue
  fi
  # shellcheck disable=SC2086
  nf=$(nftime "${winsec[$win]}" ${nfargs[$dim]})
  row query "top-10 $dim, last $win (ms; $how, $exact)" "$ms" "$nf" "$(ratio "$ms" "$nf")"
done <"$work/querybench.txt"
while IFS= read -r line; do
  case "$line" in flows-first-page*) ;; *) continue ;; esac
  filter=$(echo "$line" | sed 's/^flows-first-page "\(.*\)" .*/\1/')
  ms=$(echo "$line" | awk '{print $(NF-1)}')
  nf=$(nftime 86400 -c 100 "$filter")
  row query "first 100 flows matching: $filter (ms)" "$ms" "$nf" "$(ratio "$ms" "$nf")"
done <"$work/querybench.txt"

fi

# ---------------------------------------------------------------------------------------------
if want gui && [ -x "$here/bench/gui_latency.sh" ]; then
  echo "== gui" >&2
  "$here/bench/gui_latency.sh" "$build" >>"$table" 2>>"$work/gui.log" || echo "gui latency run failed: see $work/gui.log" >&2
fi

echo
cat "$work/machine.txt" "$work/load.txt"
printf '%-9s %-52s %16s %16s %9s\n' section metric FlowLens peer ratio
cat "$table"
