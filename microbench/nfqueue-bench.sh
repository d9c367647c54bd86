#!/usr/bin/env bash
# NFQUEUE throughput and latency, side by side: the kernel alone, two C programs on
# libnetfilter_queue and the Java DivertChannel. Run as root from anywhere in the repository:
#
#   microbench/nfqueue-bench.sh [-n PACKETS] [-s "SIZES"] [-r ROUNDS] [-p ROUND_TRIPS] [-m "MODES"] [-w WARMUP] [--profile]
#
# Defaults: -n 200000 -s "64 1400" -r 5 -p 20000 -m "a b c d e" -w 2N; -p 0 skips the ping-pong;
# -b BYTES sets the flooder's SO_SNDBUF (default: the system's, 212992 here), which bounds how
# many of its datagrams can be in flight (queued in NFQUEUE or on their way) at once.
#
# Everything runs inside a private network namespace made for the run (and deleted on exit,
# Ctrl-C included); nothing touches the host's own namespace. In it, an iptables rule sends UDP
# to 127.0.0.1:PORT_Q through NFQUEUE queue Q; udp_flood sends N datagrams of S bytes with
# sendmmsg (blocking: it is paced by the queue, which therefore does not overflow) and udp_sink
# counts what is delivered and prints the rate from its first datagram to its last. Modes:
#   a  no queue: the same flood to a port without a rule
#   b  nfq_single: libnetfilter_queue, one recv and one nfq_set_verdict per packet
#   c  nfq_batch:  libnetfilter_queue, recvmmsg of up to 64 and one nfq_set_verdict_batch
#   d  java -jar example/target/netty-divert-example.jar passthrough --port Q: a DivertChannel
#      writing every packet back (ctx.write, flush on channelReadComplete)
#   e  java -jar ...example.jar rewrite-port --port Q --from PORT_Q --to PORT_E: the codec-ip
#      pipeline (IpPacketCodec decodes, the handler rewrites the UDP destination port, the
#      codec fixes the checksums and encodes)
# With BENCH_JAVA=hand, (d) and (e) run microbench/nfqueue/java/NfqueueBench instead: the same
# pass-through, and a rewrite done by hand on the ByteBuf with an RFC 1624 checksum update.
# Every run starts a fresh handler, sends an unmeasured warm-up flood of W packets (-w, default
# 2N: after N/2, the JVM's C2 compiler was measured still busy, at about 0.9 us of CPU per packet
# of the measured flood), then the measured one. Modes are interleaved within each round; the
# table shows medians over the rounds.
# Then UDP ping-pong round trips (C client and echo server, both directions diverted) with no
# queue, with (b) and with (d): medians of the rounds' p50 and p99.
# --profile: after the rounds, runs (d) under JFR while 2M datagrams of the first size pass, and
# prints the hottest methods (the recording is kept in the output directory).
#
# Environment: JAVA (java), JAVA_OPTS (JVM options, default none), BENCH_JAVA (example|hand), BENCH_EXAMPLE_JAR (a prebuilt example jar to use), BENCH_OUT (output directory, default a new
# /tmp/nfqueue-bench.XXXXXX), BENCH_BATCH (DivertChannel batch size of the BENCH_JAVA=hand handler).
set -euo pipefail

N=200000
SIZES="64 1400"
ROUNDS=5
PINGS=20000
PROFILE=0
MODES="a b c d e"
WARMUP=
SNDBUF=
while [ $# -gt 0 ]; do
    case "$1" in
        -n) N=$2; shift 2 ;;
        -s) SIZES=$2; shift 2 ;;
        -r) ROUNDS=$2; shift 2 ;;
        -p) PINGS=$2; shift 2 ;;
        -m) MODES=$2; shift 2 ;;
        -w) WARMUP=$2; shift 2 ;;
        -b) SNDBUF=$2; shift 2 ;;
        --profile) PROFILE=1; shift ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
    esac
done

WARMUP=${WARMUP:-$((N * 2))}
if [ "$(id -u)" != 0 ]; then
    echo "run as root: network namespaces and NFQUEUE need CAP_SYS_ADMIN and CAP_NET_ADMIN" >&2
    exit 1
fi

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
JAVA=${JAVA:-java}
JAVA_OPTS=${JAVA_OPTS:-}
Q=7                 # the NFQUEUE queue number
PORT_Q=9000         # flood target that the rule diverts
PORT_A=9001         # flood target without a rule (mode a)
PORT_E=9002         # where (e) rewrites PORT_Q to
PP_Q=9100           # ping-pong port, both directions diverted
PP_A=9101           # ping-pong port without a rule
NS=nfqbench-$$
PIDS=()
forget() { local keep=() p; for p in "${PIDS[@]}"; do [ "$p" != "$1" ] && keep+=("$p"); done; PIDS=("${keep[@]}"); }

# ---- what the script needs

missing=()
for pkg in libnetfilter-queue-dev iptables iproute2 gcc; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$pkg")
    fi
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "installing ${missing[*]}"
    apt-get install -y -q "${missing[@]}" >/dev/null || { apt-get update -q >/dev/null && apt-get install -y -q "${missing[@]}" >/dev/null; }
fi

OUT=${BENCH_OUT:-$(mktemp -d /tmp/nfqueue-bench.XXXXXX)}
mkdir -p "$OUT/bin" "$OUT/classes"
echo "output in $OUT"

for p in udp_flood udp_sink udp_pingpong; do
    gcc -O2 -Wall -o "$OUT/bin/$p" "$HERE/nfqueue/c/$p.c"
done
for p in nfq_single nfq_batch; do
    gcc -O2 -Wall -o "$OUT/bin/$p" "$HERE/nfqueue/c/$p.c" -lnetfilter_queue
done

BENCH_JAVA=${BENCH_JAVA:-example}
EXAMPLE_JAR=${BENCH_EXAMPLE_JAR:-$ROOT/example/target/netty-divert-example.jar}
if [ -n "${BENCH_EXAMPLE_JAR:-}" ]; then
    echo "using $EXAMPLE_JAR as it is"
elif [ "$BENCH_JAVA" = example ]; then
    echo "building the example jar"
    (cd "$ROOT" && ./mvnw -B -q -DskipTests package -pl example -am)
else
    echo "building transport-divert and the hand-written Java handler"
    (cd "$ROOT" && ./mvnw -B -q -DskipTests package -pl transport-divert \
        && ./mvnw -B -q dependency:build-classpath -pl transport-divert -Dmdep.outputFile="$OUT/classpath.txt" >/dev/null)
    CP="$ROOT/transport-divert/target/classes:$(cat "$OUT/classpath.txt")"
    javac -d "$OUT/classes" -cp "$CP" $(find "$HERE/nfqueue/java" -name '*.java')
    CP="$OUT/classes:$CP"
fi
JAVA_PROPS=()
if [ -n "${BENCH_BATCH:-}" ]; then
    JAVA_PROPS+=("-Dbench.batch=$BENCH_BATCH")
fi

# ---- the namespace

cleanup() {
    trap - EXIT INT TERM
    for pid in "${PIDS[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${PIDS[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    ip netns del "$NS" 2>/dev/null || true
}
trap cleanup EXIT
trap 'echo interrupted >&2; exit 130' INT TERM

ip netns add "$NS"
nsx() { ip netns exec "$NS" "$@"; }
nsx ip link set lo up
nsx iptables -A OUTPUT -p udp --dport $PORT_Q -j NFQUEUE --queue-num $Q
nsx iptables -A OUTPUT -p udp --dport $PP_Q -j NFQUEUE --queue-num $Q
nsx iptables -A OUTPUT -p udp --sport $PP_Q -j NFQUEUE --queue-num $Q

# The handler of a mode, as a command line (none for a).
handler_cmd() {
    case "$1" in
        b) echo "$OUT/bin/nfq_single $Q" ;;
        c) echo "$OUT/bin/nfq_batch $Q" ;;
        d|e)
            local jvm="$JAVA $JAVA_OPTS ${JAVA_PROPS[*]:-} ${2:-}"
            if [ "$BENCH_JAVA" = example ]; then
                [ "$1" = d ] && echo "$jvm -jar $EXAMPLE_JAR passthrough --port $Q"
                [ "$1" = e ] && echo "$jvm -jar $EXAMPLE_JAR rewrite-port --port $Q --from $PORT_Q --to $PORT_E"
            else
                [ "$1" = d ] && echo "$jvm -cp $CP org.nettydivert.bench.NfqueueBench passthrough $Q"
                [ "$1" = e ] && echo "$jvm -cp $CP org.nettydivert.bench.NfqueueBench rewrite $Q $PORT_Q $PORT_E"
            fi
            ;;
    esac
}

# This namespace's line for queue Q in /proc/net/netfilter/nfnetlink_queue (empty if unbound).
queue_line() { nsx awk -v q=$Q '$1 == q' /proc/net/netfilter/nfnetlink_queue 2>/dev/null || true; }

HPID=
SINKS=0
start_handler() { # mode [extra JVM options]
    HPID=
    [ "$1" = a ] && return 0
    # shellcheck disable=SC2046
    if [ -n "$(queue_line)" ]; then
        echo "queue $Q is still bound by an earlier handler: $(queue_line)" >&2
        exit 1
    fi
    ip netns exec "$NS" $(handler_cmd "$1" "${2:-}") >>"$OUT/handler-$1.log" 2>&1 &
    HPID=$!
    PIDS+=("$HPID")
    for _ in $(seq 1 300); do
        [ -n "$(queue_line)" ] && return 0
        kill -0 "$HPID" 2>/dev/null || { echo "handler $1 died:" >&2; cat "$OUT/handler-$1.log" >&2; exit 1; }
        sleep 0.05
    done
    echo "handler $1 did not bind queue $Q" >&2
    exit 1
}

stop_handler() {
    [ -z "$HPID" ] && return 0
    kill -TERM "$HPID" 2>/dev/null || true
    wait "$HPID" 2>/dev/null || true
    forget "$HPID"
    HPID=
    for _ in $(seq 1 100); do
        [ -z "$(queue_line)" ] && return 0
        sleep 0.05
    done
    echo "queue $Q still bound after its handler exited" >&2
    exit 1
}

# Floods COUNT datagrams of SIZE to PORT and prints "count rate" as delivered at SINK_PORT.
flood() { # port sink_port count size
    SINKS=$((SINKS + 1))
    local log="$OUT/sink-$SINKS.log"
    rm -f "$log"
    ip netns exec "$NS" "$OUT/bin/udp_sink" "$2" "$3" 300 >"$log" &
    local sink=$!
    PIDS+=("$sink")
    for _ in $(seq 1 100); do
        grep -q ready "$log" 2>/dev/null && break
        sleep 0.02
    done
    nsx "$OUT/bin/udp_flood" "$1" "$3" "$4" $SNDBUF >/dev/null
    wait "$sink"
    forget "$sink"
    awk '/^delivered/ { print $2, $4 }' "$log"
}

measure() { # mode size -> appends "size mode rate delivered queue_drops" to results
    local mode=$1 size=$2 port=$PORT_Q sink=$PORT_Q
    [ "$mode" = a ] && port=$PORT_A && sink=$PORT_A
    [ "$mode" = e ] && sink=$PORT_E
    start_handler "$mode"
    flood $port $sink "$WARMUP" "$size" >/dev/null
    local result drops=0 cpu0=0 cpu1=0 cpu=nan loop=nan loop0=0 loop1=0 tid=
    if [ -n "$HPID" ]; then
        cpu0=$(cpu_ticks "$HPID")
        tid=$(loop_thread "$HPID")
        loop0=$(cpu_ticks "$HPID/task/$tid")
    fi
    flood $port $sink "$N" "$size" >"$OUT/flood.out"
    result=$(cat "$OUT/flood.out")
    if [ "$mode" != a ]; then
        cpu1=$(cpu_ticks "$HPID")
        loop1=$(cpu_ticks "$HPID/task/$tid")
        drops=$(queue_line | awk '{ print $6 + $7 }')
        cpu=$(per_packet $((cpu1 - cpu0)) "${result% *}")
        loop=$(per_packet $((loop1 - loop0)) "${result% *}")
    fi
    stop_handler
    echo "$size $mode ${result#* } ${result% *} $drops $cpu $loop" >>"$OUT/results.txt"
    printf '  %-2s %5d B  %9.0f pkt/s  delivered %d/%d  queue drops %s  CPU us/pkt: process %s, loop thread %s\n' \
        "$mode" "$size" "${result#* }" "${result% *}" "$N" "$drops" "$cpu" "$loop"
}

per_packet() { awk -v t="$1" -v n="$2" -v hz="$HZ" 'BEGIN { printf "%.2f", n ? t * 1e6 / hz / n : 0 }'; }

# The thread that handles packets: the Netty event loop in a JVM, the only thread in C.
loop_thread() {
    local t
    for t in /proc/"$1"/task/*; do
        case "$(cat "$t/comm")" in multiThreadIoEv*) echo "${t##*/}"; return ;; esac
    done
    echo "$1"
}

# CPU time (user + system, all threads) a process has used, in clock ticks.
HZ=$(getconf CLK_TCK)
cpu_ticks() { sed 's/.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'; }

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# ---- throughput

: >"$OUT/results.txt"
START=$(date +%s)
for r in $(seq 1 "$ROUNDS"); do
    echo "round $r/$ROUNDS"
    for size in $SIZES; do
        for mode in $MODES; do
            measure $mode "$size"
        done
    done
done

# ---- latency

ip netns exec "$NS" "$OUT/bin/udp_pingpong" server $PP_A >"$OUT/pp-a.log" &
PIDS+=($!)
ip netns exec "$NS" "$OUT/bin/udp_pingpong" server $PP_Q >"$OUT/pp-q.log" &
PIDS+=($!)
sleep 0.2
: >"$OUT/rtt.txt"
[ "$PINGS" -gt 0 ] && echo "ping-pong: $PINGS round trips of 64 B, $ROUNDS rounds"
for r in $(seq 1 "$ROUNDS"); do
    [ "$PINGS" -gt 0 ] || break
    for mode in a b d; do
        port=$PP_Q
        [ "$mode" = a ] && port=$PP_A
        start_handler $mode
        line=$(nsx "$OUT/bin/udp_pingpong" client $port "$PINGS" 64)
        stop_handler
        echo "$mode $line" >>"$OUT/rtt.txt"
        echo "  $mode $line"
    done
done

# ---- profile

if [ "$PROFILE" = 1 ]; then
    size=${SIZES%% *}
    echo "profiling (d) under JFR: 2000000 datagrams of $size B"
    start_handler d "-XX:+FlightRecorder -XX:StartFlightRecording=filename=$OUT/d.jfr,settings=profile,dumponexit=true"
    flood $PORT_Q $PORT_Q 2000000 "$size" | awk '{ printf "  delivered %d at %.0f pkt/s\n", $1, $2 }'
    stop_handler
fi

# ---- the table

echo
echo "NFQUEUE throughput: medians of $ROUNDS rounds, $N datagrams per run (after $WARMUP unmeasured), delivered packets/s"
printf '%-6s %12s %12s %12s %12s %12s %7s %7s %7s\n' size "(a) none" "(b) C 1/pkt" "(c) C batch" "(d) Java" "(e) Java+rw" d/b d/c e/d
for size in $SIZES; do
    declare -A med=()
    for mode in a b c d e; do
        med[$mode]=$(awk -v s="$size" -v m=$mode '$1 == s && $2 == m { print $3 }' "$OUT/results.txt" | median)
    done
    printf '%-6s %12.0f %12.0f %12.0f %12.0f %12.0f %7.2f %7.2f %7.2f\n' "$size B" \
        "${med[a]}" "${med[b]}" "${med[c]}" "${med[d]}" "${med[e]}" \
        "$(echo "${med[d]} ${med[b]}" | awk '{ print $1 / $2 }')" \
        "$(echo "${med[d]} ${med[c]}" | awk '{ print $1 / $2 }')" \
        "$(echo "${med[e]} ${med[d]}" | awk '{ print $1 / $2 }')"
    unset med
done
echo
echo "Handler CPU time (user + system) per delivered packet, medians, microseconds: the whole"
echo "process (JVM: with JIT compiler, GC and other threads) / its packet thread alone"
printf '%-6s %14s %14s %14s %14s\n' size "(b) C 1/pkt" "(c) C batch" "(d) Java" "(e) Java+rw"
for size in $SIZES; do
    printf '%-6s' "$size B"
    for mode in b c d e; do
        printf ' %14s' "$(awk -v s="$size" -v m=$mode '$1 == s && $2 == m { print $6 }' "$OUT/results.txt" | median) / $(awk -v s="$size" -v m=$mode '$1 == s && $2 == m { print $7 }' "$OUT/results.txt" | median)"
    done
    echo
done
echo
echo "UDP ping-pong RTT (64 B, both directions diverted), medians of $ROUNDS rounds of $PINGS, microseconds"
printf '%-12s %8s %8s %6s\n' path p50 p99 lost
for mode in a b d; do
    name=$(case $mode in a) echo "(a) none" ;; b) echo "(b) C 1/pkt" ;; d) echo "(d) Java" ;; esac)
    printf '%-12s %8s %8s %6s\n' "$name" \
        "$(awk -v m=$mode '$1 == m { print $4 }' "$OUT/rtt.txt" | median)" \
        "$(awk -v m=$mode '$1 == m { print $6 }' "$OUT/rtt.txt" | median)" \
        "$(awk -v m=$mode '$1 == m { s += $10 } END { print s + 0 }' "$OUT/rtt.txt")"
done
echo
echo "took $(($(date +%s) - START)) s; raw figures in $OUT/results.txt and $OUT/rtt.txt"

if [ "$PROFILE" = 1 ] && [ -f "$OUT/d.jfr" ]; then
    echo
    echo "JFR execution samples of (d), $OUT/d.jfr: top frames (self) and methods on the stack (total)"
    jfr print --stack-depth 64 --events jdk.ExecutionSample "$OUT/d.jfr" >"$OUT/d-samples.txt"
    awk '
        /jdk.ExecutionSample/ { inside = 0; n++ }
        /stackTrace = \[/ { inside = 1; first = 1; delete seen; next }
        inside && /^[[:space:]]*\]/ { inside = 0; next }
        inside && /line:/ {
            m = $1; sub(/\(.*/, "", m)
            if (first) { self[m]++; first = 0 }
            if (!(m in seen)) { total[m]++; seen[m] = 1 }
        }
        END {
            for (m in self) printf "self  %6.1f%%  %s\n", 100 * self[m] / n, m
            for (m in total) printf "total %6.1f%%  %s\n", 100 * total[m] / n, m
            printf "samples %d\n", n > "/dev/stderr"
        }' "$OUT/d-samples.txt" >"$OUT/d-hot.txt"
    grep '^self' "$OUT/d-hot.txt" | sort -k2 -gr | head -25
    echo
    grep '^total' "$OUT/d-hot.txt" | sort -k2 -gr | head -40
fi
