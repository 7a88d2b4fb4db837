#!/bin/sh
# Make sure a Docker engine answers on this machine; start one if it does not.
#
#   scripts/docker-engine.sh                  the main engine (unix:///var/run/docker.sock)
#   scripts/docker-engine.sh --instance N     an extra, independent engine (N >= 2): its own unix
#                                             socket and plain TCP on 127.0.0.1 only
#   scripts/docker-engine.sh --instance N --stop   stop that extra engine
#
# Idempotent and fast when the engine already answers (one /_ping per endpoint).
#   - installs docker.io through apt when dockerd is missing,
#   - starts `dockerd --iptables=false` in the background (no registry, no NAT needed:
#     KernelShim containers run with --network none),
#   - polls the API (/_ping) until it answers or the deadline passes,
#   - prints the engine's endpoint URLs on stdout, one a line (DOCKER_HOST style).
#
# An extra instance N shares nothing with the main engine, so that it can stand in for a
# Docker engine on another machine (one that does not share our file system):
#   unix socket   /var/run/kshim-docker-N.sock
#   TCP           tcp://127.0.0.1:<23750+N>   (no TLS, so loopback only; KSHIM_DOCKER_TCP_PORT)
#   data root     /var/lib/kshim-docker-N/data   (images and containers of its own)
#   exec root     /var/run/kshim-docker-N        (its own managed containerd lives under it)
#   pid file      /var/run/kshim-docker-N.pid
#   log           /var/log/kshim-dockerd-N.log
#   containerd    namespace kshim-N (and kshim-N-plugins)
#   config        /var/lib/kshim-docker-N/daemon.json (/etc/docker/daemon.json is the main one's),
#                 which only names its identity key, /var/lib/kshim-docker-N/key.json: the key
#                 is the engine ID in GET /info, and sharing /etc/docker/key.json would make both
#                 engines look like one
#   bridge        kshim-dockerN, a bridge of its own (created here).  Not --bridge=none: a dockerd
#                 started with it deletes the interface docker0, the main engine's bridge.
#
# Environment (each applies to the instance being started):
#   KSHIM_DOCKER_SOCK      socket path              (default above)
#   KSHIM_DOCKER_TCP_PORT  TCP port of an extra instance (default 23750+N)
#   KSHIM_DOCKERD_LOG      daemon log               (default above)
#   KSHIM_DOCKERD_TIMEOUT  seconds to wait for /_ping (default 30)
#   KSHIM_DOCKERD_FLAGS    extra dockerd flags
#   KSHIM_DOCKERD_PIDFILE  dockerd pid file          (default above)
# Exit status: 0 when the engine answers, 1 otherwise (with the tail of the daemon log), 2 on usage.
set -eu

INSTANCE=1
STOP=0
while [ $# -gt 0 ]; do
    case "$1" in
        --instance) [ $# -ge 2 ] || { echo "docker-engine: --instance needs a number" >&2; exit 2; }
                    INSTANCE="$2"; shift 2 ;;
        --instance=*) INSTANCE="${1#--instance=}"; shift ;;
        --stop) STOP=1; shift ;;
        -h|--help) sed -n '2,35p' "$0"; exit 0 ;;
        *) echo "docker-engine: unknown argument: $1" >&2; exit 2 ;;
    esac
done
case "$INSTANCE" in
    ''|*[!0-9]*|0) echo "docker-engine: --instance takes a number >= 1, not '$INSTANCE'" >&2; exit 2 ;;
esac
INSTANCE=$((INSTANCE + 0))

if [ "$INSTANCE" = 1 ]; then
    SOCK="${KSHIM_DOCKER_SOCK:-/var/run/docker.sock}"
    LOG="${KSHIM_DOCKERD_LOG:-/var/log/kshim-dockerd.log}"
    PIDFILE="${KSHIM_DOCKERD_PIDFILE:-/var/run/docker.pid}"
    TCP_PORT=""
    INSTANCE_FLAGS=""
    NAME="engine"
else
    SOCK="${KSHIM_DOCKER_SOCK:-/var/run/kshim-docker-$INSTANCE.sock}"
    LOG="${KSHIM_DOCKERD_LOG:-/var/log/kshim-dockerd-$INSTANCE.log}"
    PIDFILE="${KSHIM_DOCKERD_PIDFILE:-/var/run/kshim-docker-$INSTANCE.pid}"
    TCP_PORT="${KSHIM_DOCKER_TCP_PORT:-$((23750 + INSTANCE))}"
    BASE="/var/lib/kshim-docker-$INSTANCE"
    EXEC_ROOT="/var/run/kshim-docker-$INSTANCE"
    BRIDGE="kshim-docker$INSTANCE"
    INSTANCE_FLAGS="--data-root $BASE/data --exec-root $EXEC_ROOT --config-file $BASE/daemon.json \
        --containerd-namespace kshim-$INSTANCE --containerd-plugins-namespace kshim-$INSTANCE-plugins \
        --bridge $BRIDGE --host tcp://127.0.0.1:$TCP_PORT"
    NAME="engine $INSTANCE"
fi
TIMEOUT="${KSHIM_DOCKERD_TIMEOUT:-30}"
EXTRA_FLAGS="${KSHIM_DOCKERD_FLAGS:-}"

say() { printf 'docker-engine: %s\n' "$*" >&2; }

print_endpoints() {
    echo "unix://$SOCK"
    [ -z "$TCP_PORT" ] || echo "tcp://127.0.0.1:$TCP_PORT"
}

# One /_ping over the unix socket. curl when present, else python3, else the docker client.
ping_unix() {
    [ -S "$SOCK" ] || return 1
    if command -v curl >/dev/null 2>&1; then
        [ "$(curl -s -m 2 --unix-socket "$SOCK" http://localhost/_ping 2>/dev/null)" = "OK" ]
    elif command -v python3 >/dev/null 2>&1; then
        python3 - "$SOCK" <<'EOF' 2>/dev/null
import socket, sys
s = socket.socket(socket.AF_UNIX); s.settimeout(2); s.connect(sys.argv[1])
s.sendall(b"GET /_ping HTTP/1.0\r\nHost: localhost\r\n\r\n")
data = b""
while True:
    chunk = s.recv(4096)
    if not chunk: break
    data += chunk
sys.exit(0 if data.split(b"\r\n\r\n", 1)[-1].strip() == b"OK" else 1)
EOF
    else
        DOCKER_HOST="unix://$SOCK" DOCKER_API_VERSION=1.41 docker version >/dev/null 2>&1
    fi
}

# One /_ping over TCP (extra instances only).
ping_tcp() {
    [ -n "$TCP_PORT" ] || return 0
    if command -v curl >/dev/null 2>&1; then
        [ "$(curl -s -m 2 "http://127.0.0.1:$TCP_PORT/_ping" 2>/dev/null)" = "OK" ]
    else
        DOCKER_HOST="tcp://127.0.0.1:$TCP_PORT" DOCKER_API_VERSION=1.41 docker version >/dev/null 2>&1
    fi
}

ping_engine() { ping_unix && ping_tcp; }

# The pid of a dockerd recorded in the pid file that is still alive, or nothing.
live_pid() {
    [ -f "$PIDFILE" ] || return 0
    p="$(cat "$PIDFILE" 2>/dev/null || true)"
    if [ -n "$p" ] && kill -0 "$p" 2>/dev/null && grep -q dockerd "/proc/$p/cmdline" 2>/dev/null; then
        echo "$p"
    fi
}

if [ "$STOP" = 1 ]; then
    # The main engine is shared by everything on the machine: only extra instances are stopped here.
    [ "$INSTANCE" != 1 ] || { say "--stop is for extra instances (--instance N, N >= 2)"; exit 2; }
    p="$(live_pid)"
    if [ -z "$p" ]; then say "$NAME is not running"; exit 0; fi
    kill -TERM "$p"
    deadline=$(( $(date +%s) + TIMEOUT ))
    while kill -0 "$p" 2>/dev/null && [ "$(date +%s)" -lt "$deadline" ]; do sleep 0.1; done
    if kill -0 "$p" 2>/dev/null; then say "$NAME (dockerd pid $p) still runs after ${TIMEOUT}s"; exit 1; fi
    ip link del "$BRIDGE" 2>/dev/null || true
    say "$NAME stopped (dockerd pid $p)"
    exit 0
fi

if ping_engine; then
    say "$NAME answers on $(print_endpoints | tr '\n' ' ')"
    print_endpoints
    exit 0
fi

if [ "$(id -u)" != 0 ]; then
    say "$NAME does not answer on $SOCK and starting it needs root"
    exit 1
fi

if ! command -v dockerd >/dev/null 2>&1; then
    say "dockerd missing: installing docker.io"
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends docker.io >&2 \
        || { apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends docker.io >&2; }
fi

# A dockerd may be running but not answering yet (started by an earlier call): only wait then.
running_pid="$(live_pid)"

start_dockerd() {
    # $@: flags beyond the defaults
    mkdir -p "$(dirname "$LOG")"
    if [ "$INSTANCE" != 1 ]; then
        mkdir -p "$BASE/data" "$EXEC_ROOT"
        printf '{ "deprecated-key-path": "%s/key.json" }\n' "$BASE" >"$BASE/daemon.json"
        # dockerd gives the bridge a free private subnet itself (no NAT: --iptables=false).
        ip link show "$BRIDGE" >/dev/null 2>&1 || ip link add name "$BRIDGE" type bridge
    fi
    rm -f "$PIDFILE"
    say "starting dockerd for the $NAME (log: $LOG)"
    # setsid: the daemon must survive this shell and its session (CI steps, test runners).
    # shellcheck disable=SC2086
    setsid dockerd --iptables=false --ip-forward=false --ip-masq=false \
        --host "unix://$SOCK" --pidfile "$PIDFILE" $INSTANCE_FLAGS $EXTRA_FLAGS "$@" \
        </dev/null >>"$LOG" 2>&1 &
    started_pid=$!
}

wait_for_ping() {
    # $1: pid to watch; returns 0 on answer, 1 on deadline, 2 when the daemon died.
    deadline=$(( $(date +%s) + TIMEOUT ))
    while [ "$(date +%s)" -lt "$deadline" ]; do
        if ping_engine; then return 0; fi
        kill -0 "$1" 2>/dev/null || return 2
        sleep 0.1
    done
    return 1
}

if [ -n "$running_pid" ]; then
    say "dockerd (pid $running_pid) is running but not answering yet: waiting"
    if wait_for_ping "$running_pid"; then
        say "$NAME answers on $(print_endpoints | tr '\n' ' ')"
        print_endpoints
        exit 0
    fi
    say "dockerd pid $running_pid never answered within ${TIMEOUT}s"
    tail -n 30 "$LOG" >&2 2>/dev/null || true
    exit 1
fi

start_dockerd
rc=0; wait_for_ping "$started_pid" || rc=$?
if [ "$rc" = 2 ] && [ "$INSTANCE" = 1 ] && tail -n 20 "$LOG" 2>/dev/null | grep -qi 'bridge'; then
    # No bridge possible here (no netlink permission, no br_netfilter ...): containers run
    # with --network none anyway, so run the daemon without the default bridge.
    say "dockerd could not create its bridge: retrying with --bridge=none"
    start_dockerd --bridge=none
    rc=0; wait_for_ping "$started_pid" || rc=$?
fi

if [ "$rc" = 0 ]; then
    say "$NAME answers on $(print_endpoints | tr '\n' ' ')(dockerd pid $started_pid)"
    print_endpoints
    exit 0
fi
if [ "$rc" = 2 ]; then
    say "dockerd exited before answering"
else
    say "dockerd never answered /_ping within ${TIMEOUT}s"
fi
say "last lines of $LOG:"
tail -n 30 "$LOG" >&2 2>/dev/null || true
exit 1
