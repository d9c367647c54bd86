#!/usr/bin/env bash
# TCP throughput through NFQUEUE with and without NFQA_CFG_F_GSO, side by side. Run as root from
# anywhere in the repository:
#
#   microbench/gso-bench.sh [-n BYTES] [-r ROUNDS]
#
# Defaults: -n 1G (iperf3 -n) -r 3. Two network namespaces made for the run (deleted on exit,
# Ctrl-C included) joined by a veth pair with MTU 1500; nothing touches the host's namespace.
# iperf3 sends BYTES from the first to the second; in the second an iptables INPUT rule sends
# TCP port 5201 through NFQUEUE queue 3. Modes:
#   none  no rule
#   cbatch  the batched C loop on libnetfilter_queue (microbench/nfqueue/c/nfq_batch.c, recvmmsg
#         and one batch verdict per read; it does not ask for GSO, as libnetfilter_queue's
#         programs usually do not)
#   off   java -Dnettydivert.gso=false -jar example/target/netty-divert-example.jar passthrough
#   on    the same with -Dnettydivert.gso=true
# Prints the receiver's Gbit/s, the median over the rounds. Needs iperf3, gcc and
# libnetfilter-queue-dev, and a built example jar.
set -euo pipefail

BYTES=1G
ROUNDS=3
while [ $# -gt 0 ]; do
    case "$1" in
        -n) BYTES=$2; shift 2 ;;
        -r) ROUNDS=$2; shift 2 ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
    esac
done
ROOT=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
JAR=$ROOT/example/target/netty-divert-example.jar
A=gsob-$$-a
B=gsob-$$-b
JAVA_PID= # the handler under test: the JVM, or the C loop
SERVER_PID=
cleanup() {
    [ -n "$JAVA_PID" ] && kill "$JAVA_PID" 2>/dev/null || true
    [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null || true
    ip netns del "$A" 2>/dev/null || true
    ip netns del "$B" 2>/dev/null || true
    [ -n "${BIN:-}" ] && rm -rf "$BIN"
}
trap cleanup EXIT INT TERM
BIN=$(mktemp -d /tmp/gso-bench.XXXXXX)
gcc -O2 -Wall -o "$BIN/nfq_batch" "$ROOT/microbench/nfqueue/c/nfq_batch.c" -lnetfilter_queue
ip netns add "$A"
ip netns add "$B"
ip -n "$A" link add va type veth peer name vb netns "$B"
ip -n "$A" addr add 10.91.0.1/24 dev va
ip -n "$B" addr add 10.91.0.2/24 dev vb
ip -n "$A" link set va mtu 1500 up
ip -n "$B" link set vb mtu 1500 up
ip -n "$A" link set lo up
ip -n "$B" link set lo up

run() { # mode -> Gbit/s
    local mode=$1
    ip netns exec "$B" iptables -F INPUT
    if [ "$mode" != none ]; then
        ip netns exec "$B" iptables -A INPUT -p tcp --dport 5201 -j NFQUEUE --queue-num 3
        if [ "$mode" = cbatch ]; then
            ip netns exec "$B" "$BIN/nfq_batch" 3 >/dev/null 2>&1 &
        else
            ip netns exec "$B" java -Dnettydivert.gso=$([ "$mode" = on ] && echo true || echo false) \
                -jar "$JAR" passthrough --port 3 >/dev/null 2>&1 &
        fi
        JAVA_PID=$!
        sleep 2
    fi
    ip netns exec "$B" iperf3 -s -1 >/dev/null 2>&1 &
    SERVER_PID=$!
    sleep 0.5
    local out
    out=$(ip netns exec "$A" timeout 120 iperf3 -c 10.91.0.2 -n "$BYTES" -f g 2>&1 || true)
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=
    if [ -n "$JAVA_PID" ]; then
        kill "$JAVA_PID"; wait "$JAVA_PID" 2>/dev/null || true
        JAVA_PID=
    fi
    echo "$out" | awk '/receiver/ { for (i = 1; i < NF; i++) if ($(i+1) == "Gbits/sec") print $i }' | tail -1
}

declare -A results
for round in $(seq "$ROUNDS"); do
    for mode in none cbatch off on; do
        g=$(run "$mode")
        echo "round $round $mode: ${g:-failed} Gbit/s" >&2
        results[$mode]="${results[$mode]:-} ${g:-0}"
    done
done
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
printf '| %-38s | %8s |\n' "TCP over veth, MTU 1500 ($BYTES, median of $ROUNDS)" "Gbit/s"
printf '| %-38s | %8s |\n' "no queue" "$(echo ${results[none]} | median)"
printf '| %-38s | %8s |\n' "batched C loop (nfq_batch), no GSO" "$(echo ${results[cbatch]} | median)"
printf '| %-38s | %8s |\n' "DivertChannel passthrough, GSO off" "$(echo ${results[off]} | median)"
printf '| %-38s | %8s |\n' "DivertChannel passthrough, GSO on" "$(echo ${results[on]} | median)"
