#!/usr/bin/env bash
# NFQUEUE throughput and latency, side by side: the kernel alone, two C programs on
# libnetfilter_queue and the Java DivertChannel. Run as root from anywhere in the repository:
#
#   microbench/nfqueue-bench.sh [-n PACKETS] [-s "SIZES"] [-r ROUNDS] [-p ROUND_TRIPS] [-m "MODES"] [-w WARMUP]
#                               [-c COLD] [-t "LINKS"] [-T BYTES] [-W BYTES] [-J ITERATIONS] [--profile]
#
# Defaults: -n 200000 -s "64 1400" -r 5 -p 20000 -m "a b c d e f" -w 2N -c 300000 -t "veth lo9000"
# -T 1G -W 1G -J 5; -p 0 skips the ping-pong, -c 0 the cold start, -t "" the TCP workloads, -J 0
# the codec-ip benchmark;
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
#   f  two channels on two event loops (issue 17), as two runs interleaved like the other modes:
#      f1  TWO flooders in parallel (N datagrams each, warm-up W/2 each) against ONE channel:
#          -j NFQUEUE --queue-num Q, passthrough --port Q
#      f2  the same two flooders against TWO channels: -j NFQUEUE --queue-balance Q:Q+1,
#          passthrough --port Q --channels 2
#      so that only the number of channels differs; f2/f1 is the figure. --queue-balance hashes
#      the source and destination addresses and the protocol, not the ports: the flooders bind
#      two loopback source addresses (127.0.0.X), probed once at the start so that one lands on
#      each queue; each f2 run prints the share each queue got (/proc/net/netfilter/nfnetlink_queue).
# Every run also records the machine's CPU over the measured flood (/proc/stat: busy and
# softirq, in % of one CPU, so up to nproc x 100), and f runs the flooders' CPU (bash times).
# With BENCH_JAVA=hand, (d) and (e) run microbench/nfqueue/java/NfqueueBench instead: the same
# pass-through, and a rewrite done by hand on the ByteBuf with an RFC 1624 checksum update.
# Every run starts a fresh handler, sends an unmeasured warm-up flood of W packets (-w, default
# 2N: after N/2, the JVM's C2 compiler was measured still busy, at about 0.9 us of CPU per packet
# of the measured flood), then the measured one. Modes are interleaved within each round; the
# table shows medians over the rounds.
# Cold start (-c COLD, with mode d): each round also starts a fresh (d) and sends COLD datagrams
# at once, without warm-up: the rate of the first COLD packets after the JVM starts, against the
# warm (d) of the same round. For every Java run the harness also reads, with `jcmd PID
# Thread.print -e`, the bytes its packet thread allocated over the measured flood: bytes per packet.
# TCP (-t): iperf3 sends -T BYTES through NFQUEUE queue Q (INPUT, TCP port 5201, data and control
# connection) on each link: "veth", two more namespaces joined by a veth pair with MTU 1500, the
# receiver diverting; "lo9000", loopback of a third namespace with MTU 9000. Handlers: none,
# the batched C loop (c, which does not ask for GSO), and (d) with GSO off and on
# (-Dnettydivert.gso=false|true). Every handler first carries an unmeasured transfer of -W
# BYTES (default: -T; 0 measures a handler that just started). The receiver's Gbit/s of the
# measured one, medians over the rounds.
# BENCH_BASELINE_JAR=another-example.jar adds its pass-through beside (d), as (D): warm, cold,
# bytes per packet and TCP with GSO on, and a before/after table, all from the same invocation.
# Then UDP ping-pong round trips (C client and echo server, both directions diverted) with no
# queue, with (b) and with (d): medians of the rounds' p50 and p99.
# codec-ip (-J): after the rounds, with nothing else running, JMH's CodecIpBenchmark decodes and
# verifies the same TCP/IPv4 and UDP/IPv6 packets with codec-ip's flyweights and with pcap4j (one
# fork, 3 warm-up and J measured iterations of 1 s each): the ratio issue 17 asks for.
# --profile: after the rounds, runs (d) under JFR while 2M datagrams of the first size pass, and
# prints the hottest methods and the event loop's allocation by class, in bytes per packet (the
# recording is kept in the output directory).
#
# Environment: JAVA (java), JAVA_OPTS (JVM options, default none), BENCH_JAVA (example|hand), BENCH_EXAMPLE_JAR (a prebuilt example jar to use), BENCH_OUT (output directory, default a new
# /tmp/nfqueue-bench.XXXXXX), BENCH_CODEC_JAR (a prebuilt microbench/target/benchmarks.jar to use), BENCH_BATCH (DivertChannel batch size of the BENCH_JAVA=hand handler).
set -euo pipefail

N=200000
SIZES="64 1400"
ROUNDS=5
PINGS=20000
PROFILE=0
MODES="a b c d e f"
WARMUP=
SNDBUF=
COLD=300000
LINKS="veth lo9000"
TCP_BYTES=1G
TCP_WARMUP=
CODEC_ITERATIONS=5
while [ $# -gt 0 ]; do
    case "$1" in
        -n) N=$2; shift 2 ;;
        -s) SIZES=$2; shift 2 ;;
        -r) ROUNDS=$2; shift 2 ;;
        -p) PINGS=$2; shift 2 ;;
        -m) MODES=$2; shift 2 ;;
        -w) WARMUP=$2; shift 2 ;;
        -b) SNDBUF=$2; shift 2 ;;
        -c) COLD=$2; shift 2 ;;
        -t) LINKS=$2; shift 2 ;;
        -T) TCP_BYTES=$2; shift 2 ;;
        -W) TCP_WARMUP=$2; shift 2 ;;
        -J) CODEC_ITERATIONS=$2; shift 2 ;;
        --profile) PROFILE=1; shift ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
    esac
done

WARMUP=${WARMUP:-$((N * 2))}
TCP_WARMUP=${TCP_WARMUP:-$TCP_BYTES}
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
PORT_F1=9010        # (f1): two flooders, queue Q
PORT_F2=9011        # (f2): two flooders, queues Q and Q+1 (--queue-balance)
PP_Q=9100           # ping-pong port, both directions diverted
PP_A=9101           # ping-pong port without a rule
NS=nfqbench-$$
PIDS=()
forget() { local keep=() p; for p in "${PIDS[@]}"; do [ "$p" != "$1" ] && keep+=("$p"); done; PIDS=("${keep[@]}"); }

# ---- what the script needs

missing=()
for pkg in libnetfilter-queue-dev iptables iproute2 gcc iperf3; do
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
CODEC_JAR=${BENCH_CODEC_JAR:-$ROOT/microbench/target/benchmarks.jar}
if [ "$CODEC_ITERATIONS" -gt 0 ] && [ -z "${BENCH_CODEC_JAR:-}" ]; then
    echo "building the codec-ip benchmarks"
    (cd "$ROOT" && ./mvnw -B -q -DskipTests package -pl microbench -am)
fi
BASELINE_JAR=${BENCH_BASELINE_JAR:-}
if [ -n "$BASELINE_JAR" ]; then
    echo "baseline (D): $BASELINE_JAR"
    with_baseline=
    for m in $MODES; do
        with_baseline="$with_baseline $m"
        [ "$m" = d ] && with_baseline="$with_baseline D"
    done
    MODES=${with_baseline# }
fi
if [[ " $MODES " == *" f "* ]]; then
    if [ "$BENCH_JAVA" != example ]; then
        echo "mode f needs the example jar (BENCH_JAVA=example)" >&2
        exit 2
    fi
    with_f=
    for m in $MODES; do
        if [ "$m" = f ]; then with_f="$with_f f1 f2"; else with_f="$with_f $m"; fi
    done
    MODES=${with_f# }
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
    for ns in "$NS-tx" "$NS-rx" "$NS-lo"; do
        ip netns del "$ns" 2>/dev/null || true
    done
}
trap cleanup EXIT
trap 'echo interrupted >&2; exit 130' INT TERM

ip netns add "$NS"
nsx() { ip netns exec "$NS" "$@"; }
nsx ip link set lo up
nsx iptables -A OUTPUT -p udp --dport $PORT_Q -j NFQUEUE --queue-num $Q
nsx iptables -A OUTPUT -p udp --dport $PP_Q -j NFQUEUE --queue-num $Q
nsx iptables -A OUTPUT -p udp --sport $PP_Q -j NFQUEUE --queue-num $Q
nsx iptables -A OUTPUT -p udp --dport $PORT_F1 -j NFQUEUE --queue-num $Q
nsx iptables -A OUTPUT -p udp --dport $PORT_F2 -j NFQUEUE --queue-balance $Q:$((Q + 1))
echo "machine: nproc $(nproc), load average $(cut -d' ' -f1-3 /proc/loadavg), kernel $(uname -r)"

# The handler of a mode, as a command line (none for a).
handler_cmd() {
    case "$1" in
        b) echo "$OUT/bin/nfq_single $Q" ;;
        c) echo "$OUT/bin/nfq_batch $Q" ;;
        D)
            echo "$JAVA $JAVA_OPTS ${JAVA_PROPS[*]:-} ${2:-} -jar $BASELINE_JAR passthrough --port $Q"
            ;;
        f1|f2)
            local channels=
            [ "$1" = f2 ] && channels=" --channels 2"
            echo "$JAVA $JAVA_OPTS ${JAVA_PROPS[*]:-} ${2:-} -jar $EXAMPLE_JAR passthrough --port $Q$channels"
            ;;
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

# This namespace's line for queue Q (or the queue given) in /proc/net/netfilter/nfnetlink_queue
# (empty if unbound).
queue_line() { nsx awk -v q="${1:-$Q}" '$1 == q' /proc/net/netfilter/nfnetlink_queue 2>/dev/null || true; }

# The queues a mode's handler binds.
queues_of() { if [ "$1" = f2 ]; then echo "$Q $((Q + 1))"; else echo "$Q"; fi; }

# Whether every queue of mode $1 is bound (all) or none is (none).
queues_are() { # all|none mode
    local q
    for q in $(queues_of "$2"); do
        if [ "$1" = all ]; then [ -n "$(queue_line "$q")" ] || return 1; else [ -z "$(queue_line "$q")" ] || return 1; fi
    done
}

# Packets the kernel has put in queue $1 so far: the id sequence (column 8), 0 if unbound.
queue_seq() { queue_line "$1" | awk '{ print $8 + 0 } END { if (NR == 0) print 0 }' | head -1; }

# The machine's CPU time so far, from /proc/stat: "busy softirq total" in clock ticks, all CPUs.
cpu_stat() { awk '$1 == "cpu" { t = 0; for (i = 2; i <= 9; i++) t += $i; print t - $5 - $6, $8, t; exit }' /proc/stat; }

HPID=
SINKS=0
start_handler() { # mode [extra JVM options]
    HPID=
    [ "$1" = a ] && return 0
    # shellcheck disable=SC2046
    if ! queues_are none "$1"; then
        echo "queue $Q or $((Q + 1)) is still bound by an earlier handler: $(queue_line) $(queue_line $((Q + 1)))" >&2
        exit 1
    fi
    ip netns exec "$NS" $(handler_cmd "$1" "${2:-}") >>"$OUT/handler-$1.log" 2>&1 &
    HPID=$!
    PIDS+=("$HPID")
    for _ in $(seq 1 300); do
        queues_are all "$1" && return 0
        kill -0 "$HPID" 2>/dev/null || { echo "handler $1 died:" >&2; cat "$OUT/handler-$1.log" >&2; exit 1; }
        sleep 0.05
    done
    echo "handler $1 did not bind queue(s) $(queues_of "$1")" >&2
    exit 1
}

stop_handler() {
    [ -z "$HPID" ] && return 0
    kill -TERM "$HPID" 2>/dev/null || true
    wait "$HPID" 2>/dev/null || true
    forget "$HPID"
    HPID=
    for _ in $(seq 1 100); do
        queues_are none f2 && return 0
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

# As flood, from two flooders in parallel, each sending COUNT datagrams from its own source
# address (SRC1, SRC2): the sink waits for 2 x COUNT. Each flooder's CPU (user + system, seconds,
# bash times) goes to $OUT/flooder-1.times and -2.times.
SRC1=127.0.0.2
SRC2=127.0.0.3
flood2() { # port count_each size
    SINKS=$((SINKS + 1))
    local log="$OUT/sink-$SINKS.log" f1 f2
    rm -f "$log"
    ip netns exec "$NS" "$OUT/bin/udp_sink" "$1" $(($2 * 2)) 300 >"$log" &
    local sink=$!
    PIDS+=("$sink")
    for _ in $(seq 1 100); do
        grep -q ready "$log" 2>/dev/null && break
        sleep 0.02
    done
    (nsx "$OUT/bin/udp_flood" "$1" "$2" "$3" "${SNDBUF:-0}" $SRC1 >/dev/null; times >"$OUT/flooder-1.times") &
    f1=$!
    (nsx "$OUT/bin/udp_flood" "$1" "$2" "$3" "${SNDBUF:-0}" $SRC2 >/dev/null; times >"$OUT/flooder-2.times") &
    f2=$!
    wait $f1 $f2
    wait "$sink"
    forget "$sink"
    awk '/^delivered/ { print $2, $4 }' "$log"
}

# The CPU seconds (user + system) of a flooder's children, from its `times` file.
flooder_cpu() { awk 'NR == 2 { s = 0; for (i = 1; i <= 2; i++) { v = $i; m = v; sub(/m.*/, "", m); sub(/^[0-9]+m/, "", v); sub(/s$/, "", v); s += m * 60 + v } printf "%.2f", s }' "$1" 2>/dev/null; }

# Picks SRC1 and SRC2 among 127.0.0.2-127.0.0.40 so that --queue-balance puts the first on queue
# Q and the second on Q+1 (the hash is the kernel's, with a seed drawn once per boot).
probe_sources() {
    local a n q0 q1 s1= s2=
    start_handler f2
    for n in $(seq 2 40); do
        a=127.0.0.$n
        q0=$(queue_seq $Q)
        q1=$(queue_seq $((Q + 1)))
        nsx "$OUT/bin/udp_flood" $PORT_F2 20 64 0 $a >/dev/null 2>&1 || true
        sleep 0.1
        if [ -z "$s1" ] && [ "$(queue_seq $Q)" -gt "$q0" ]; then s1=$a; fi
        if [ -z "$s2" ] && [ "$(queue_seq $((Q + 1)))" -gt "$q1" ]; then s2=$a; fi
        [ -n "$s1" ] && [ -n "$s2" ] && break
    done
    stop_handler
    if [ -z "$s1" ] || [ -z "$s2" ]; then
        echo "no two source addresses in 127.0.0.2-40 hash to queues $Q and $((Q + 1))" >&2
        exit 1
    fi
    SRC1=$s1
    SRC2=$s2
    echo "mode f: source $SRC1 hashes to queue $Q, $SRC2 to queue $((Q + 1))"
}

measure() { # mode size -> appends "size mode rate delivered queue_drops" to results
    local mode=$1 size=$2 port=$PORT_Q sink=$PORT_Q
    case $mode in
        f1|f2)
            port=$PORT_F1
            [ "$mode" = f2 ] && port=$PORT_F2
            start_handler "$mode"
            flood2 $port $((WARMUP / 2)) "$size" >/dev/null
            flood_measured "$mode" "$size" $port $port "$N" two
            return
            ;;
    esac
    [ "$mode" = a ] && port=$PORT_A && sink=$PORT_A
    [ "$mode" = e ] && sink=$PORT_E
    start_handler "$mode"
    flood $port $sink "$WARMUP" "$size" >/dev/null
    flood_measured "$mode" "$size" $port $sink "$N"
}

# Starts a fresh (d), or (D), and measures its first COLD packets, without warm-up.
measure_cold() { # size [mode]
    local mode=${2:-d}
    start_handler "$mode"
    flood_measured "${mode}cold" "$1" $PORT_Q $PORT_Q "$COLD"
}

# The measured flood of a started handler: appends "size mode rate delivered queue_drops cpu_us
# loop_us loop_bytes_per_packet machine_busy_% machine_softirq_% queue_shares flooders_cpu_s" to
# results (the loop figures summed over the event loop threads; the last two for f runs, else -).
flood_measured() { # mode size port sink count [two]
    local mode=$1 size=$2 port=$3 sink=$4 count=$5 two=${6:-}
    local result drops=0 cpu0=0 cpu1=0 cpu=nan loop=nan loop0=0 loop1=0 tids= alloc0= alloc1= alloc=nan
    local m0 m1 busy softirq shares=- fcpu=- s0=0 s1=0 t0=0 t1=0 sent=$count
    if [ -n "$HPID" ]; then
        tids=$(loop_threads "$HPID")
        alloc0=$(allocated_sum "$HPID" "$tids")
        cpu0=$(cpu_ticks "$HPID")
        loop0=$(tasks_ticks "$HPID" "$tids")
    fi
    s0=$(queue_seq $Q)
    t0=$(queue_seq $((Q + 1)))
    m0=$(cpu_stat)
    if [ -n "$two" ]; then
        flood2 $port "$count" "$size" >"$OUT/flood.out"
        sent=$((count * 2))
        fcpu="$(flooder_cpu "$OUT/flooder-1.times")+$(flooder_cpu "$OUT/flooder-2.times")"
    else
        flood $port $sink "$count" "$size" >"$OUT/flood.out"
    fi
    m1=$(cpu_stat)
    result=$(cat "$OUT/flood.out")
    read -r busy softirq <<<"$(awk -v a="$m0" -v b="$m1" -v n="$(nproc)" 'BEGIN { split(a, x, " "); split(b, y, " "); t = y[3] - x[3]; if (t <= 0) { print "nan nan"; exit } printf "%.0f %.0f", 100 * n * (y[1] - x[1]) / t, 100 * n * (y[2] - x[2]) / t }')"
    if [ "$mode" != a ]; then
        cpu1=$(cpu_ticks "$HPID")
        loop1=$(tasks_ticks "$HPID" "$tids")
        alloc1=$(allocated_sum "$HPID" "$tids")
        drops=$(for q in $(queues_of "$mode"); do queue_line "$q"; done | awk '{ d += $6 + $7 } END { print d + 0 }')
        cpu=$(per_packet $((cpu1 - cpu0)) "${result% *}")
        loop=$(per_packet $((loop1 - loop0)) "${result% *}")
        if [ -n "$alloc0" ] && [ -n "$alloc1" ]; then
            alloc=$(awk -v a="$alloc0" -v b="$alloc1" -v n="${result% *}" 'BEGIN { printf "%.1f", n ? (b - a) / n : 0 }')
        fi
        if [ "$mode" = f2 ]; then
            s1=$(queue_seq $Q)
            t1=$(queue_seq $((Q + 1)))
            shares=$(awk -v a=$((s1 - s0)) -v b=$((t1 - t0)) 'BEGIN { printf "%.0f%%/%.0f%%", a + b ? 100 * a / (a + b) : 0, a + b ? 100 * b / (a + b) : 0 }')
        fi
    fi
    stop_handler
    echo "$size $mode ${result#* } ${result% *} $drops $cpu $loop $alloc $busy $softirq $shares $fcpu" >>"$OUT/results.txt"
    printf '  %-5s %5d B  %9.0f pkt/s  delivered %d/%d  queue drops %s  CPU us/pkt: process %s, loop thread(s) %s; loop thread(s) allocated %s B/pkt; machine CPU busy %s%% (softirq %s%%)' \
        "$mode" "$size" "${result#* }" "${result% *}" "$sent" "$drops" "$cpu" "$loop" "$alloc" "$busy" "$softirq"
    [ -n "$two" ] && printf '; flooders CPU %s s' "$fcpu"
    [ "$mode" = f2 ] && printf '; queue %s/%s shares %s' $Q $((Q + 1)) "$shares"
    echo
}

# The summed allocation of the threads TIDS of PID (empty for a C program).
allocated_sum() { # pid tids
    local t v sum= 
    for t in $2; do
        v=$(allocated "$1" "$t")
        [ -z "$v" ] && return 0
        sum=$(awk -v a="${sum:-0}" -v b="$v" 'BEGIN { printf "%.0f", a + b }')
    done
    echo "$sum"
}

# The summed CPU ticks of the threads TIDS of PID.
tasks_ticks() { # pid tids
    local t sum=0
    for t in $2; do
        sum=$((sum + $(cpu_ticks "$1/task/$t")))
    done
    echo $sum
}

# Bytes the JVM thread TID of PID has allocated so far (jcmd Thread.print -e), or nothing for a
# C program.
allocated() { # pid tid
    case "$(cat "/proc/$1/comm")" in java) ;; *) return 0 ;; esac
    jcmd "$1" Thread.print -e 2>/dev/null \
        | awk -v nid="$(printf '0x%x' "$2")" '$0 ~ ("nid=" nid " ") { for (i = 1; i <= NF; i++) if ($i ~ /^allocated=/) { v = $i; sub(/allocated=/, "", v); sub(/B$/, "", v); print v } }' \
        | awk '/[kKmMgG]$/ { u = substr($0, length($0)); v = substr($0, 1, length($0) - 1); print v * (u ~ /[kK]/ ? 1024 : u ~ /[mM]/ ? 1048576 : 1073741824); next } { print }'
}

per_packet() { awk -v t="$1" -v n="$2" -v hz="$HZ" 'BEGIN { printf "%.2f", n ? t * 1e6 / hz / n : 0 }'; }

# The threads that handle packets: the Netty event loops in a JVM, the only thread in C.
loop_threads() {
    local t found=
    for t in /proc/"$1"/task/*; do
        case "$(cat "$t/comm")" in multiThreadIoEv*) echo "${t##*/}"; found=1 ;; esac
    done
    [ -n "$found" ] || echo "$1"
}

# CPU time (user + system, all threads) a process has used, in clock ticks.
HZ=$(getconf CLK_TCK)
cpu_ticks() { sed 's/.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'; }

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "nan" || b == "nan" || a == "" || b == "" || b + 0 == 0) print "nan"; else printf "%.2f", a / b }'; }

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# ---- throughput

: >"$OUT/results.txt"
START=$(date +%s)
if [[ " $MODES " == *" f2 "* ]]; then
    probe_sources
fi
for r in $(seq 1 "$ROUNDS"); do
    echo "round $r/$ROUNDS"
    for size in $SIZES; do
        for mode in $MODES; do
            measure $mode "$size"
        done
        if [ "$COLD" -gt 0 ] && [[ " $MODES " == *" d "* ]]; then
            measure_cold "$size"
            [ -n "$BASELINE_JAR" ] && measure_cold "$size" D
        fi
    done
done

# ---- TCP

TQ=3 # the TCP workloads' queue, in their own namespaces
if [ -n "$LINKS" ]; then
    ip netns add "$NS-tx"
    ip netns add "$NS-rx"
    ip -n "$NS-tx" link add va type veth peer name vb netns "$NS-rx"
    ip -n "$NS-tx" addr add 10.91.0.1/24 dev va
    ip -n "$NS-rx" addr add 10.91.0.2/24 dev vb
    ip -n "$NS-tx" link set va mtu 1500 up
    ip -n "$NS-rx" link set vb mtu 1500 up
    ip -n "$NS-tx" link set lo up
    ip -n "$NS-rx" link set lo up
    ip netns add "$NS-lo"
    ip -n "$NS-lo" link set lo mtu 9000 up
fi

# The receiver's Gbit/s of one iperf3 run of TCP_BYTES on LINK with HANDLER (none, c, off, on).
tcp_run() { # link handler
    local link=$1 handler=$2 rx tx server=10.91.0.2 hpid= spid out
    case "$link" in
        veth) rx=$NS-rx; tx=$NS-tx ;;
        lo9000) rx=$NS-lo; tx=$NS-lo; server=127.0.0.1 ;;
        *) echo "unknown link $link" >&2; exit 2 ;;
    esac
    ip netns exec "$rx" iptables -F INPUT
    if [ "$handler" != none ]; then
        ip netns exec "$rx" iptables -A INPUT -p tcp --dport 5201 -j NFQUEUE --queue-num $TQ
        if [ "$handler" = c ]; then
            ip netns exec "$rx" "$OUT/bin/nfq_batch" $TQ >>"$OUT/tcp-handler.log" 2>&1 &
        elif [ "$handler" = Don ]; then
            # shellcheck disable=SC2086
            ip netns exec "$rx" $JAVA $JAVA_OPTS -Dnettydivert.gso=true \
                -jar "$BASELINE_JAR" passthrough --port $TQ >>"$OUT/tcp-handler.log" 2>&1 &
        else
            # shellcheck disable=SC2086
            ip netns exec "$rx" $JAVA $JAVA_OPTS -Dnettydivert.gso=$([ "$handler" = on ] && echo true || echo false) \
                -jar "$EXAMPLE_JAR" passthrough --port $TQ >>"$OUT/tcp-handler.log" 2>&1 &
        fi
        hpid=$!
        PIDS+=("$hpid")
        for _ in $(seq 1 300); do
            ip netns exec "$rx" awk -v q=$TQ '$1 == q { found = 1 } END { exit !found }' \
                /proc/net/netfilter/nfnetlink_queue 2>/dev/null && break
            sleep 0.05
        done
    fi
    ip netns exec "$rx" iperf3 -s >/dev/null 2>&1 &
    spid=$!
    PIDS+=("$spid")
    sleep 0.3
    # The same unmeasured transfer first for every handler, as the UDP floods have: a JVM that
    # just started compiles its packet path during the first second, which is all a 1 GB
    # transfer lasts at 10 Gbit/s.
    if [ "$TCP_WARMUP" != 0 ]; then
        ip netns exec "$tx" timeout 180 iperf3 -c $server -n "$TCP_WARMUP" >/dev/null 2>&1 || true
    fi
    out=$(ip netns exec "$tx" timeout 180 iperf3 -c $server -n "$TCP_BYTES" -f g 2>&1 || true)
    kill "$spid" 2>/dev/null || true
    wait "$spid" 2>/dev/null || true
    forget "$spid"
    if [ -n "$hpid" ]; then
        kill -TERM "$hpid" 2>/dev/null || true
        wait "$hpid" 2>/dev/null || true
        forget "$hpid"
    fi
    ip netns exec "$rx" iptables -F INPUT
    echo "$out" | awk '/receiver/ { for (i = 1; i < NF; i++) if ($(i+1) == "Gbits/sec") print $i }' | tail -1
}

: >"$OUT/tcp.txt"
if [ -n "$LINKS" ]; then
    if [ "$BENCH_JAVA" != example ]; then
        echo "TCP workloads need the example jar (BENCH_JAVA=example); skipped" >&2
        LINKS=
    fi
fi
for r in $(seq 1 "$ROUNDS"); do
    [ -n "$LINKS" ] || break
    echo "TCP round $r/$ROUNDS: iperf3 -n $TCP_BYTES after $TCP_WARMUP unmeasured"
    for link in $LINKS; do
        for handler in none c off on ${BASELINE_JAR:+Don}; do
            g=$(tcp_run "$link" "$handler")
            echo "$link $handler ${g:-nan}" >>"$OUT/tcp.txt"
            echo "  $link $handler: ${g:-failed} Gbit/s"
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

# ---- codec-ip: decode + verify against pcap4j, CPU only, after every handler has stopped

if [ "$CODEC_ITERATIONS" -gt 0 ]; then
    echo "codec-ip: JMH CodecIpBenchmark, flyweights and pcap4j, $CODEC_ITERATIONS iterations of 1 s"
    $JAVA -jar "$CODEC_JAR" 'CodecIpBenchmark\.(tcp4Flyweight|tcp4Pcap4j|udp6Flyweight|udp6Pcap4j)$' \
        -f 1 -wi 3 -i "$CODEC_ITERATIONS" -w 1s -r 1s -rf csv -rff "$OUT/codec.csv" >"$OUT/codec.log" 2>&1 \
        || { echo "the codec-ip benchmark failed:" >&2; tail -20 "$OUT/codec.log" >&2; exit 1; }
fi
# The score (ns/op) of one CodecIpBenchmark method from JMH's CSV.
codec_score() { awk -F, -v b="\"org.nettydivert.microbench.CodecIpBenchmark.$1\"" '$1 == b { print $5 }' "$OUT/codec.csv"; }

# ---- the table

echo
echo "NFQUEUE throughput: medians of $ROUNDS rounds, $N datagrams per run (after $WARMUP unmeasured), delivered packets/s"
printf '%-6s %12s %12s %12s %12s %12s %7s %7s %7s %7s\n' size "(a) none" "(b) C 1/pkt" "(c) C batch" "(d) Java" "(e) Java+rw" d/a d/b d/c e/d
for size in $SIZES; do
    declare -A med=()
    for mode in a b c d e; do
        med[$mode]=$(awk -v s="$size" -v m=$mode '$1 == s && $2 == m { print $3 }' "$OUT/results.txt" | median)
    done
    printf '%-6s %12.0f %12.0f %12.0f %12.0f %12.0f %7.2f %7.2f %7.2f %7.2f\n' "$size B" \
        "${med[a]}" "${med[b]}" "${med[c]}" "${med[d]}" "${med[e]}" \
        "$(ratio "${med[d]}" "${med[a]}")" \
        "$(ratio "${med[d]}" "${med[b]}")" \
        "$(ratio "${med[d]}" "${med[c]}")" \
        "$(ratio "${med[e]}" "${med[d]}")"
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
echo "Bytes allocated by the Java packet thread per delivered packet (jcmd Thread.print -e, which"
echo "rounds to 1 KiB/1 MiB: +-1 MiB / packets), medians"
printf '%-6s %10s %10s %14s\n' size "(d) warm" "(e) warm" "(d) cold start"
for size in $SIZES; do
    printf '%-6s' "$size B"
    for mode in d e dcold; do
        printf ' %10s' "$(awk -v s="$size" -v m=$mode '$1 == s && $2 == m && $8 != "" { print $8 }' "$OUT/results.txt" | median)"
    done
    echo
done
if [ "$COLD" -gt 0 ] && [[ " $MODES " == *" d "* ]]; then
    echo
    echo "Cold start: the first $COLD datagrams after (d) starts, without warm-up, against warm (d); medians of $ROUNDS rounds"
    printf '%-6s %12s %12s %12s %10s\n' size "(d) cold" "(d) warm" "(c) C batch" cold/warm
    for size in $SIZES; do
        cold=$(awk -v s="$size" '$1 == s && $2 == "dcold" { print $3 }' "$OUT/results.txt" | median)
        warm=$(awk -v s="$size" '$1 == s && $2 == "d" { print $3 }' "$OUT/results.txt" | median)
        cb=$(awk -v s="$size" '$1 == s && $2 == "c" { print $3 }' "$OUT/results.txt" | median)
        printf '%-6s %12.0f %12.0f %12.0f %10.2f\n' "$size B" "$cold" "$warm" "$cb" "$(ratio "$cold" "$warm")"
    done
fi
if [[ " $MODES " == *" f2 "* ]]; then
    echo
    echo "Two channels (f): two flooders in parallel, $N datagrams each, against one channel (f1,"
    echo "--queue-num $Q) and two on two event loops (f2, --queue-balance $Q:$((Q + 1)), --channels 2);"
    echo "(d) is one flooder, one channel. Medians of $ROUNDS rounds; nproc $(nproc). Loop: CPU us per"
    echo "packet of the event loop thread(s), summed; machine: CPU busy over the flood, % of one CPU"
    echo "(softirq in brackets); flooders: CPU seconds of each"
    printf '%-6s %10s %10s %10s %6s %6s %9s %9s %12s %12s %12s\n' size "(d) 1x1" "(f1) 2x1" "(f2) 2x2" f2/f1 f2/d "f1 loop" "f2 loop" "f1 machine" "f2 machine" "f2 shares"
    for size in $SIZES; do
        med() { awk -v s="$size" -v m="$1" -v c="$2" '$1 == s && $2 == m && $c != "" && $c != "nan" { print $c }' "$OUT/results.txt" | median; }
        printf '%-6s %10.0f %10.0f %10.0f %6s %6s %9s %9s %12s %12s %12s\n' "$size B" "$(med d 3)" "$(med f1 3)" "$(med f2 3)" \
            "$(ratio "$(med f2 3)" "$(med f1 3)")" "$(ratio "$(med f2 3)" "$(med d 3)")" "$(med f1 7)" "$(med f2 7)" \
            "$(med f1 9)% ($(med f1 10)%)" "$(med f2 9)% ($(med f2 10)%)" \
            "$(awk -v s="$size" '$1 == s && $2 == "f2" { printf "%s ", $11 }' "$OUT/results.txt")"
    done
    printf 'flooders CPU s (f1 | f2, each run): %s | %s\n' \
        "$(awk '$2 == "f1" { printf "%s ", $12 }' "$OUT/results.txt")" "$(awk '$2 == "f2" { printf "%s ", $12 }' "$OUT/results.txt")"
fi
if [ -s "$OUT/tcp.txt" ]; then
    echo
    echo "TCP (iperf3 -n $TCP_BYTES after $TCP_WARMUP unmeasured, receiver Gbit/s, medians of $ROUNDS rounds): no queue, the batched C loop"
    echo "(no GSO), (d) with GSO off and on"
    printf '%-7s %8s %8s %8s %8s %9s %9s %9s\n' link none "C batch" "d off" "d on" "on/C" "on/none" "off/C"
    for link in $LINKS; do
        declare -A g=()
        for handler in none c off on; do
            g[$handler]=$(awk -v l="$link" -v h=$handler '$1 == l && $2 == h && $3 != "nan" { print $3 }' "$OUT/tcp.txt" | median)
        done
        printf '%-7s %8s %8s %8s %8s %9.2f %9.2f %9.2f\n' "$link" "${g[none]}" "${g[c]}" "${g[off]}" "${g[on]}" \
            "$(ratio "${g[on]}" "${g[c]}")" "$(ratio "${g[on]}" "${g[none]}")" "$(ratio "${g[off]}" "${g[c]}")"
        unset g
    done
fi
if [ -s "$OUT/codec.csv" ]; then
    echo
    echo "codec-ip decode + verify (JMH avgt, ns/op, errors in $OUT/codec.log): flyweights against pcap4j"
    printf '%-22s %10s %10s %8s\n' packet codec-ip pcap4j ratio
    printf '%-22s %10.1f %10.1f %8.1f\n' "TCP/IPv4, 552 B" "$(codec_score tcp4Flyweight)" "$(codec_score tcp4Pcap4j)" \
        "$(ratio "$(codec_score tcp4Pcap4j)" "$(codec_score tcp4Flyweight)")"
    printf '%-22s %10.1f %10.1f %8.1f\n' "UDP/IPv6, 176 B" "$(codec_score udp6Flyweight)" "$(codec_score udp6Pcap4j)" \
        "$(ratio "$(codec_score udp6Pcap4j)" "$(codec_score udp6Flyweight)")"
fi
if [ -n "$BASELINE_JAR" ]; then
    echo
    echo "Before/after: (D) $BASELINE_JAR against (d) $EXAMPLE_JAR, same rounds, medians"
    echo "(pkt/s; B/pkt allocated and CPU us/pkt of the packet thread, warm)"
    printf '%-6s %10s %10s %6s %10s %10s %6s %9s %9s %8s %8s\n' size "D warm" "d warm" d/D "D cold" "d cold" d/D "D B/pkt" "d B/pkt" "D us" "d us"
    for size in $SIZES; do
        med() { awk -v s="$size" -v m="$1" -v c="$2" '$1 == s && $2 == m && $c != "" { print $c }' "$OUT/results.txt" | median; }
        printf '%-6s %10.0f %10.0f %6s %10.0f %10.0f %6s %9s %9s %8s %8s\n' "$size B" "$(med D 3)" "$(med d 3)" "$(ratio "$(med d 3)" "$(med D 3)")" \
            "$(med Dcold 3)" "$(med dcold 3)" "$(ratio "$(med dcold 3)" "$(med Dcold 3)")" "$(med D 8)" "$(med d 8)" "$(med D 7)" "$(med d 7)"
    done
    for link in $LINKS; do
        on=$(awk -v l="$link" '$1 == l && $2 == "on" && $3 != "nan" { print $3 }' "$OUT/tcp.txt" | median)
        don=$(awk -v l="$link" '$1 == l && $2 == "Don" && $3 != "nan" { print $3 }' "$OUT/tcp.txt" | median)
        printf 'TCP %-7s GSO on: D %s, d %s Gbit/s, d/D %s\n' "$link" "$don" "$on" "$(ratio "$on" "$don")"
    done
    printf 'D/c: '
    for size in $SIZES; do
        printf '%s B %s  ' "$size" "$(ratio "$(awk -v s="$size" '$1 == s && $2 == "D" { print $3 }' "$OUT/results.txt" | median)" "$(awk -v s="$size" '$1 == s && $2 == "c" { print $3 }' "$OUT/results.txt" | median)")"
    done
    echo
fi
echo
echo "Issue 17's ratios, from the tables above:"
for size in $SIZES; do
    printf '  UDP %5s B: d/c %s (target >= 1.0), d/a %s (no queue: the ceiling)\n' "$size" \
        "$(ratio "$(awk -v s="$size" '$1 == s && $2 == "d" { print $3 }' "$OUT/results.txt" | median)" "$(awk -v s="$size" '$1 == s && $2 == "c" { print $3 }' "$OUT/results.txt" | median)")" \
        "$(ratio "$(awk -v s="$size" '$1 == s && $2 == "d" { print $3 }' "$OUT/results.txt" | median)" "$(awk -v s="$size" '$1 == s && $2 == "a" { print $3 }' "$OUT/results.txt" | median)")"
    printf '  UDP %5s B: (d) allocates %s B per packet on its packet thread (target: at most one object)\n' "$size" \
        "$(awk -v s="$size" '$1 == s && $2 == "d" && $8 != "" { print $8 }' "$OUT/results.txt" | median)"
    if [ "$COLD" -gt 0 ]; then
        printf '  UDP %5s B: cold/warm %s (target >= 0.8)\n' "$size" \
            "$(ratio "$(awk -v s="$size" '$1 == s && $2 == "dcold" { print $3 }' "$OUT/results.txt" | median)" "$(awk -v s="$size" '$1 == s && $2 == "d" { print $3 }' "$OUT/results.txt" | median)")"
    fi
    if [[ " $MODES " == *" f2 "* ]]; then
        printf '  UDP %5s B: two channels f2/f1 %s (target >= 1.6 where the machine has the cores: nproc %s), f2/d %s\n' "$size" \
            "$(ratio "$(awk -v s="$size" '$1 == s && $2 == "f2" { print $3 }' "$OUT/results.txt" | median)" "$(awk -v s="$size" '$1 == s && $2 == "f1" { print $3 }' "$OUT/results.txt" | median)")" \
            "$(nproc)" \
            "$(ratio "$(awk -v s="$size" '$1 == s && $2 == "f2" { print $3 }' "$OUT/results.txt" | median)" "$(awk -v s="$size" '$1 == s && $2 == "d" { print $3 }' "$OUT/results.txt" | median)")"
    fi
done
for link in $LINKS; do
    on=$(awk -v l="$link" '$1 == l && $2 == "on" && $3 != "nan" { print $3 }' "$OUT/tcp.txt" | median)
    cb=$(awk -v l="$link" '$1 == l && $2 == "c" && $3 != "nan" { print $3 }' "$OUT/tcp.txt" | median)
    none=$(awk -v l="$link" '$1 == l && $2 == "none" && $3 != "nan" { print $3 }' "$OUT/tcp.txt" | median)
    case $link in
        veth) printf '  TCP veth: GSO on / C batch %s (target >= 2.0), / no queue %s (target >= 0.5)\n' "$(ratio "$on" "$cb")" "$(ratio "$on" "$none")" ;;
        lo9000) printf '  TCP lo MTU 9000: d / C batch %s (target >= 1.0)\n' "$(ratio "$on" "$cb")" ;;
    esac
done
if [ -s "$OUT/codec.csv" ]; then
    printf '  codec-ip decode + verify: pcap4j/codec-ip %s (TCP/IPv4), %s (UDP/IPv6) (target >= 20)\n' \
        "$(ratio "$(codec_score tcp4Pcap4j)" "$(codec_score tcp4Flyweight)")" \
        "$(ratio "$(codec_score udp6Pcap4j)" "$(codec_score udp6Flyweight)")"
fi
if [ "$PINGS" -gt 0 ]; then
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
fi
echo
echo "machine: nproc $(nproc), load average now $(cut -d' ' -f1-3 /proc/loadavg)"
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
    grep '^self' "$OUT/d-hot.txt" | sort -k2 -gr | head -25 || true # head closes the pipe early
    echo
    grep '^total' "$OUT/d-hot.txt" | sort -k2 -gr | head -40 || true
    echo
    echo "JFR allocation samples of (d)'s event loop thread (jdk.ObjectAllocationSample weights, an"
    echo "estimate), bytes per packet of the 2000000, by class"
    jfr print --events jdk.ObjectAllocationSample "$OUT/d.jfr" | awk -v n=2000000 '
        /objectClass = / { c = $3 }
        /eventThread = / { t = $3 }
        /weight = / {
            v = $3 + 0
            if ($4 ~ /^kB/) v *= 1024; else if ($4 ~ /^MB/) v *= 1048576; else if ($4 ~ /^GB/) v *= 1073741824
            if (t ~ /multiThreadIoEv/) { w[c] += v; all += v }
        }
        END {
            for (c in w) if (w[c] / n >= 0.5) printf "  %8.1f B/pkt  %s\n", w[c] / n, c
            printf "  %8.1f B/pkt  all classes\n", all / n
        }' | sort -gr
fi
