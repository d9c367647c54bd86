#!/usr/bin/env bash
# netty-divert demo: diverts UDP and TCP for a demo port through a DivertChannel and prints the
# packets as they pass. On Linux everything happens in a private network namespace that is
# removed at the end (and on Ctrl-C): the host's own network is never touched.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
jar="$here/target/netty-divert-example.jar"
port=7           # the divert port (NFQUEUE number on Linux)
demo_port=7777   # the traffic that is diverted

die() { echo "demo.sh: $*" >&2; exit 1; }

build_jar() {
  if [ ! -f "$jar" ]; then
    echo "== building $jar (first run only)"
    (cd "$root" && ./mvnw -B -q -DskipTests install) || die "the build failed"
  fi
}

linux_demo() {
  [ "$(id -u)" -eq 0 ] || die "run as root (sudo example/demo.sh): NFQUEUE and network namespaces need it"
  local missing=()
  command -v iptables >/dev/null 2>&1 || [ -x /usr/sbin/iptables ] || missing+=(iptables)
  command -v ip >/dev/null 2>&1 || [ -x /usr/sbin/ip ] || missing+=(iproute2)
  if [ "${#missing[@]}" -gt 0 ]; then
    command -v apt-get >/dev/null 2>&1 || die "install ${missing[*]} first"
    echo "== installing ${missing[*]}"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
  export PATH="$PATH:/usr/sbin:/sbin"
  build_jar

  ns="netty-divert-demo-$$"
  dump_pid=""
  cleanup() {
    trap - EXIT INT TERM
    if [ -n "$dump_pid" ]; then kill "$dump_pid" 2>/dev/null || true; wait "$dump_pid" 2>/dev/null || true; fi
    ip netns del "$ns" 2>/dev/null || true
    echo "== removed network namespace $ns"
  }
  trap cleanup EXIT
  trap 'exit 130' INT TERM

  echo "== network namespace $ns, lo up"
  ip netns add "$ns"
  ip -n "$ns" link set lo up
  in_ns() { ip netns exec "$ns" "$@"; }
  echo "== iptables (inside $ns): UDP and TCP port $demo_port -> NFQUEUE $port"
  in_ns iptables -A OUTPUT -p udp --dport "$demo_port" -m mark ! --mark 0x4456 -j NFQUEUE --queue-num "$port"
  in_ns iptables -A OUTPUT -p tcp --dport "$demo_port" -j NFQUEUE --queue-num "$port"
  in_ns iptables -A OUTPUT -p tcp --sport "$demo_port" -j NFQUEUE --queue-num "$port"

  echo "== java -jar netty-divert-example.jar dump --port $port"
  # Started directly (not through in_ns) so that $! is the JVM, which SIGTERM stops cleanly.
  ip netns exec "$ns" java -jar "$jar" dump --port "$port" &
  dump_pid=$!
  for _ in $(seq 1 100); do
    if in_ns awk -v q="$port" '$1 == q { found = 1 } END { exit !found }' /proc/net/netfilter/nfnetlink_queue 2>/dev/null; then
      break
    fi
    kill -0 "$dump_pid" 2>/dev/null || die "dump did not start"
    sleep 0.1
  done

  echo "== sending 3 UDP datagrams and one small TCP exchange to 127.0.0.1:$demo_port"
  in_ns java -jar "$jar" traffic --port "$demo_port"
  sleep 0.5
  kill -TERM "$dump_pid"
  wait "$dump_pid" || true
  dump_pid=""
}

freebsd_demo() {
  cat <<EOT
On FreeBSD the demo diverts UDP port $demo_port to divert port $port with ipfw:

  kldload ipfw ipdivert     # ipfw's default rule denies all traffic: do this from a console
  ipfw add 100 divert $port udp from any to any $demo_port not diverted
  java -jar $jar dump --port $port

Run again with --apply to do exactly that (the ipfw rule is deleted at the end).
EOT
  if [ "${1:-}" = "--apply" ]; then
    [ "$(id -u)" -eq 0 ] || die "run as root"
    build_jar
    kldstat -q -m ipdivert || kldload ipdivert
    ipfw -q add 100 divert "$port" udp from any to any "$demo_port" not diverted
    trap 'ipfw -q delete 100' EXIT
    java -jar "$jar" dump --port "$port"
  fi
}

openbsd_demo() {
  cat <<EOT
On OpenBSD the demo diverts UDP port $demo_port to divert port $port with pf. Add to /etc/pf.conf:

  pass out proto udp to port $demo_port divert-packet port $port

then load it and run the dump:

  pfctl -f /etc/pf.conf
  java -jar $jar dump --port $port
EOT
}

case "$(uname -s)" in
  Linux) linux_demo ;;
  FreeBSD) freebsd_demo "$@" ;;
  OpenBSD) openbsd_demo ;;
  *) die "netty-divert needs Linux (NFQUEUE), FreeBSD or OpenBSD (divert sockets); this is $(uname -s)" ;;
esac
