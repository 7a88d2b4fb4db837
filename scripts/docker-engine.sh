#!/bin/sh
# Make sure a Docker engine answers on this machine; start one if it does not.
#
# Idempotent and fast when the engine already answers (one /_ping).
#   - installs docker.io through apt when dockerd is missing,
#   - starts `dockerd --iptables=false` in the background (no registry, no NAT needed:
#     KernelShim containers run with --network none),
#   - polls the API (/_ping on the unix socket) until it answers or the deadline passes.
#
# Environment:
#   KSHIM_DOCKER_SOCK      socket path              (default /var/run/docker.sock)
#   KSHIM_DOCKERD_LOG      daemon log               (default /var/log/kshim-dockerd.log)
#   KSHIM_DOCKERD_TIMEOUT  seconds to wait for /_ping (default 30)
#   KSHIM_DOCKERD_FLAGS    extra dockerd flags
#   KSHIM_DOCKERD_PIDFILE  dockerd pid file          (default /var/run/docker.pid)
# Exit status: 0 when the engine answers, 1 otherwise (with the tail of the daemon log).
set -eu

SOCK="${KSHIM_DOCKER_SOCK:-/var/run/docker.sock}"
LOG="${KSHIM_DOCKERD_LOG:-/var/log/kshim-dockerd.log}"
TIMEOUT="${KSHIM_DOCKERD_TIMEOUT:-30}"
EXTRA_FLAGS="${KSHIM_DOCKERD_FLAGS:-}"

say() { printf 'docker-engine: %s\n' "$*" >&2; }

# One /_ping over the unix socket. curl when present, else python3, else the docker client.
ping_engine() {
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

if ping_engine; then
    say "engine answers on $SOCK"
    exit 0
fi

if [ "$(id -u)" != 0 ]; then
    say "the engine does not answer on $SOCK and starting it needs root"
    exit 1
fi

if ! command -v dockerd >/dev/null 2>&1; then
    say "dockerd missing: installing docker.io"
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends docker.io >&2 \
        || { apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends docker.io >&2; }
fi

# A dockerd may be running but not answering yet (started by an earlier call): only wait then.
PIDFILE="${KSHIM_DOCKERD_PIDFILE:-/var/run/docker.pid}"
running_pid=""
if [ -f "$PIDFILE" ]; then
    p="$(cat "$PIDFILE" 2>/dev/null || true)"
    if [ -n "$p" ] && kill -0 "$p" 2>/dev/null && grep -q dockerd "/proc/$p/cmdline" 2>/dev/null; then
        running_pid="$p"
    fi
fi

start_dockerd() {
    # $@: flags beyond the defaults
    mkdir -p "$(dirname "$LOG")"
    rm -f "$PIDFILE"
    say "starting dockerd (log: $LOG)"
    # setsid: the daemon must survive this shell and its session (CI steps, test runners).
    # shellcheck disable=SC2086
    setsid dockerd --iptables=false --ip-forward=false --ip-masq=false \
        --host "unix://$SOCK" --pidfile "$PIDFILE" $EXTRA_FLAGS "$@" \
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
    if wait_for_ping "$running_pid"; then say "engine answers on $SOCK"; exit 0; fi
    say "dockerd pid $running_pid never answered within ${TIMEOUT}s"
    tail -n 30 "$LOG" >&2 2>/dev/null || true
    exit 1
fi

start_dockerd
rc=0; wait_for_ping "$started_pid" || rc=$?
if [ "$rc" = 2 ] && tail -n 20 "$LOG" 2>/dev/null | grep -qi 'bridge'; then
    # No bridge possible here (no netlink permission, no br_netfilter ...): containers run
    # with --network none anyway, so run the daemon without the default bridge.
    say "dockerd could not create its bridge: retrying with --bridge=none"
    start_dockerd --bridge=none
    rc=0; wait_for_ping "$started_pid" || rc=$?
fi

if [ "$rc" = 0 ]; then
    say "engine answers on $SOCK (dockerd pid $started_pid)"
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
