#!/usr/bin/env bash
# Feeds the same traffic to FlowLens and to the peers on this machine, on loopback, and compares:
#   softflowd -r (NetFlow v5, v9, IPFIX) and pmacctd nfprobe (v9)  -> flowlens-cli collect vs nfcapd/nfdump
#   pmacctd sfprobe (sampling 1 and 10)                            -> flowlens-cli collect vs tshark
# Prints one line per case: flows, packets, bytes and the top-10 sources by bytes, and whether they match.
# Usage: scripts/compare_peers.sh [BUILD_DIR]   (needs softflowd, nfdump, pmacct, tshark; bounded, ~2 min)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build}
cli="$build/app/flowlens-cli"
work=$(mktemp -d /tmp/flowlens-peers.XXXXXX)
trap 'pkill -f "flowlens-cli collect --db $work" 2>/dev/null || true; pkill -f "nfcapd -b 127.0.0.1 -p 2069" 2>/dev/null || true; rm -rf "$work"' EXIT
python3 "$here/scripts/make_test_pcap.py" "$work/traffic.pcap" 7 30000

base=$((21000 + RANDOM % 2000))
fl_port=$base; nf_port=$((base + 1)); sf_port=$((base + 2))

start_flowlens() { # db port
  "$cli" collect --db "$1" --listen "127.0.0.1:$2" --quiet 2>"$1.log" &
  for _ in $(seq 50); do grep -q listening "$1.log" 2>/dev/null && return 0; sleep 0.1; done
  echo "collector did not start: $(cat "$1.log")" >&2; return 1
}
stop_flowlens() { pkill -INT -f "flowlens-cli collect --db $1" || true; while pgrep -f "flowlens-cli collect --db $1" >/dev/null; do sleep 0.1; done; }
flowlens_totals() { "$cli" top --db "$1" --by proto --limit 0 --format json ${2:-} | python3 -c '
import json,sys; d=json.load(sys.stdin); t=d["total"]; print(t["flows"], t["packets"], t["bytes"])'; }
flowlens_top() { "$cli" top --db "$1" --by src --order bytes --limit 10 --format csv | tail -n +2 | cut -d, -f2,5 | tr '\n' ' '; }
nfdump_totals() { nfdump -R "$1" -I | awk -F': ' '/^Flows:/{f=$2} /^Packets:/{p=$2} /^Bytes:/{b=$2} END{print f, p, b}'; }
nfdump_top() { nfdump -R "$1" -s srcip/bytes -n 10 -o csv -N | awk -F, 'NR>1 && $5 ~ /[0-9]/ {print $5 "," $10}' | head -10 | tr '\n' ' '; }

compare_netflow() { # label exporter-command-with-PORT (run once per collector) or with PORTS (run once, both)
  local label=$1; shift
  local db="$work/$label.db" dir="$work/$label.nfcap"
  mkdir -p "$dir"
  start_flowlens "$db" "$fl_port"
  nfcapd -b 127.0.0.1 -p "$nf_port" -w "$dir" -t 3600 >"$dir.log" 2>&1 &
  local nfpid=$!
  sleep 0.5
  if [[ "$*" == *PORTS* ]]; then
    eval "${*//PORTS/$fl_port $nf_port}" >/dev/null 2>&1
  else
    eval "${*//PORT/$fl_port}" >/dev/null 2>&1
    eval "${*//PORT/$nf_port}" >/dev/null 2>&1
  fi
  sleep 1.5
  stop_flowlens "$db"
  kill -TERM $nfpid; wait $nfpid 2>/dev/null || true
  local a b ta tb
  a=$(flowlens_totals "$db"); b=$(nfdump_totals "$dir")
  ta=$(flowlens_top "$db"); tb=$(nfdump_top "$dir")
  printf '%-22s flowlens flows/packets/bytes %-26s nfdump %-26s totals %s, top-10 %s\n' "$label" "$a" "$b" \
    "$([ "$a" = "$b" ] && echo same || echo DIFFERENT)" "$([ "$ta" = "$tb" ] && echo same || echo DIFFERENT)"
  [ "$ta" = "$tb" ] || { echo "  flowlens: $ta"; echo "  nfdump:   $tb"; }
}

echo "traffic: $(capinfos -cM "$work/traffic.pcap" | awk '/Number of packets/{print $NF}') packets (scripts/make_test_pcap.py, seed 7)"
for v in 5 9 10; do
  compare_netflow "softflowd-v$v" softflowd -r "$work/traffic.pcap" -n 127.0.0.1:PORT -v "$v"
done

nfprobe() { # port-a port-b: one pmacctd, two nfprobe plugins, so both collectors get the same flows
  cat >"$work/nfprobe.conf" <<CONF
daemonize: false
pcap_savefile: $work/traffic.pcap
pcap_savefile_wait: false
plugins: nfprobe[a], nfprobe[b]
nfprobe_receiver[a]: 127.0.0.1:$1
nfprobe_receiver[b]: 127.0.0.1:$2
nfprobe_version: 9
CONF
  timeout 20 pmacctd -f "$work/nfprobe.conf" || true
}
compare_netflow "pmacctd-nfprobe-v9" nfprobe PORTS

for rate in 1 10; do
  db="$work/sfprobe-$rate.db"
  start_flowlens "$db" "$sf_port"
  cat >"$work/sfprobe.conf" <<CONF
daemonize: false
pcap_savefile: $work/traffic.pcap
pcap_savefile_wait: false
plugins: sfprobe
sfprobe_receiver: 127.0.0.1:$sf_port
sfprobe_agentip: 127.0.0.1
sampling_rate: $rate
CONF
  timeout 30 dumpcap -q -i lo -f "udp port $sf_port" -w "$work/sf-$rate.pcapng" >/dev/null 2>&1 &
  cap=$!
  sleep 1.5
  timeout 20 pmacctd -f "$work/sfprobe.conf" >/dev/null 2>&1 || true
  sleep 1.5
  kill -INT $cap; wait $cap 2>/dev/null || true
  stop_flowlens "$db"
  a=$(flowlens_totals "$db" --raw)
  scaled=$(flowlens_totals "$db")
  b=$(tshark -r "$work/sf-$rate.pcapng" -d "udp.port==$sf_port,sflow" -V 2>/dev/null | python3 -c '
import re,sys
n=0; frames=0; rate=1
for line in sys.stdin:
    m=re.search(r"^\s+Frame Length: (\d+)$", line)
    if m: n+=1; frames+=int(m.group(1))
    m=re.search(r"Sampling rate: 1 out of (\d+)", line)
    if m: rate=int(m.group(1))
print(n, n, frames, rate)')
  read -r tn tp tb trate <<<"$b"
  printf '%-22s flowlens raw flows/packets/bytes %-22s tshark samples/frame bytes %-22s %s; scaled by FlowLens %s (x%s)\n' \
    "pmacctd-sfprobe-1:$rate" "$a" "$tn $tp $tb" "$([ "$a" = "$tn $tp $tb" ] && echo same || echo DIFFERENT)" "$scaled" "$trate"
done
