#!/usr/bin/env bash
# The private RabbitMQ broker of the test command, as functions to source: tests/run.sh uses them, and so
# does the benchmark's wrapper (bench/Milestones.Benchmarks/run.sh). The caller defines `log` and handles
# its own traps; these functions set BROKER_DIR and, once the broker is up, export the
# MILESTONES_TEST_RABBITMQ_* variables described in tests/run.sh.
#
#   . tests/rabbitmq.sh
#   install_rabbitmq; start_private_broker     # exits the calling shell if the broker cannot start
#   ...
#   stop_private_broker "$BROKER_DIR"          # stops it and its epmd, removes the temp dir

RMQ_BIN=/usr/lib/rabbitmq/bin   # not /usr/sbin: as root those re-exec as user rabbitmq
BROKER_DIR=""                   # temp dir of this run; empty until created (cleanup checks it)
BROKER_START_TIMEOUT=${MILESTONES_TEST_BROKER_TIMEOUT:-120}  # seconds, per start (see tests/run.sh)

# The node starts its own epmd daemon on our private port, and it outlives the node. Stop that
# one only: `epmd -kill` on our port, then kill an epmd still listening on it.
kill_private_epmd() {
  local epmd_port pid
  [ -f "$1/ports" ] || return 0
  epmd_port=$(sed -n 's/^EPMD=//p' "$1/ports")
  epmd -port "$epmd_port" -kill >/dev/null 2>&1 || true
  for pid in $(ss -ltnpH "sport = :$epmd_port" 2>/dev/null | grep -o 'pid=[0-9]*' | cut -d= -f2 | sort -u); do
    if [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = epmd ]; then kill "$pid" 2>/dev/null || true; fi
  done
}

# Stops the broker whose temp dir is $1 (data and all), and its epmd; removes the dir.
stop_private_broker() {
  local dir=$1
  if [ -x "$dir/stop" ]; then "$dir/stop" >/dev/null 2>&1 || true; fi
  kill_private_epmd "$dir"
  rm -rf "$dir"
}

# --- 1. RabbitMQ installed? ------------------------------------------------------------------------
install_rabbitmq() {
  if [ ! -x "$RMQ_BIN/rabbitmq-server" ]; then
    log "installing rabbitmq-server (Debian package)"
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y rabbitmq-server
  fi
}

# --- 2. private broker ---------------------------------------------------------------------------
# Prints "AMQP DIST EPMD": three distinct ports free on all addresses (IPv4 and IPv6), never the
# defaults. Taken below Linux's ephemeral range (32768+) so outgoing connections can't grab them
# meanwhile. rabbitmqctl runs an Erlang node too: it gets DIST+10000..+10010, checked free as well.
pick_ports() {
  python3 - <<'PY'
import random, socket

def free(port):
    for family, addr in ((socket.AF_INET, "0.0.0.0"), (socket.AF_INET6, "::")):
        try:
            s = socket.socket(family, socket.SOCK_STREAM)
        except OSError:
            continue  # no IPv6 here
        try:
            if family == socket.AF_INET6:
                s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            s.bind((addr, port))
        except OSError:
            return False
        finally:
            s.close()
    return True

chosen = []
while len(chosen) < 3:
    p = random.randint(10000, 22000)  # 22000 + 10010 stays below 32768
    if p in chosen or p in (4369, 5672, 15672, 25672) or not free(p):
        continue
    if len(chosen) == 1 and not all(free(p + 10000 + i) for i in range(11)):
        continue
    chosen.append(p)
print(*chosen)
PY
}

# Writes the environment, config and the ctl/start/stop wrapper scripts into $1.
prepare_broker_dir() {
  local dir=$1 amqp=$2 dist=$3 epmd=$4 node=$5
  mkdir -p "$dir/mnesia" "$dir/log" "$dir/home"
  printf 'AMQP=%s\nDIST=%s\nEPMD=%s\n' "$amqp" "$dist" "$epmd" >"$dir/ports"

  # Loopback only (AMQP here; Erlang distribution and epmd in env below). guest may log in
  # (RabbitMQ allows it over loopback anyway). max_message_size as in deploy/compose (16 MiB): the
  # broker refuses larger publishes; the worker's own, lower limit (Messaging:MaxMessageBodySize)
  # is what the tests' 10 MB bodies exercise.
  cat >"$dir/rabbitmq.conf" <<EOF
listeners.tcp.default = 127.0.0.1:$amqp
loopback_users = none
max_message_size = 16777216
EOF
  echo '[].' >"$dir/enabled_plugins"   # no plugins: faster start, no other listener
  : >"$dir/rabbitmq-env.conf"          # keeps /etc/rabbitmq/rabbitmq-env.conf out

  # One Erlang cookie for the node and rabbitmqctl; Erlang rejects it unless mode 400.
  python3 -c 'import secrets; print(secrets.token_hex(20).upper(), end="")' >"$dir/home/.erlang.cookie"
  chmod 400 "$dir/home/.erlang.cookie"

  # Every wrapper sources this, so they all talk to the same private node.
  cat >"$dir/env" <<EOF
# Drop RabbitMQ/Erlang settings inherited from the caller's shell, then set ours.
for v in \$(compgen -v | grep -E '^(RABBITMQ_|ERL_)'); do unset "\$v"; done
export HOME='$dir/home'
export RABBITMQ_NODENAME='$node'
export RABBITMQ_MNESIA_BASE='$dir/mnesia'
export RABBITMQ_LOG_BASE='$dir/log'
export RABBITMQ_CONFIG_FILE='$dir/rabbitmq.conf'
export RABBITMQ_ADVANCED_CONFIG_FILE='$dir/advanced.config'
export RABBITMQ_CONF_ENV_FILE='$dir/rabbitmq-env.conf'
export RABBITMQ_ENABLED_PLUGINS_FILE='$dir/enabled_plugins'
export RABBITMQ_PID_FILE='$dir/rabbitmq.pid'
export ERL_EPMD_PORT='$epmd'
export ERL_EPMD_ADDRESS=127.0.0.1
export RABBITMQ_DIST_PORT='$dist'
export RABBITMQ_CTL_DIST_PORT_MIN='$((dist + 10000))'
export RABBITMQ_CTL_DIST_PORT_MAX='$((dist + 10010))'
export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS='-kernel inet_dist_use_interface {127,0,0,1}'
export RABBITMQ_CTL_ERL_ARGS='-kernel inet_dist_use_interface {127,0,0,1}'
export RMQ_BIN='$RMQ_BIN'
export BROKER_DIR='$dir'
export BROKER_AMQP_PORT='$amqp'
export BROKER_START_TIMEOUT='$BROKER_START_TIMEOUT'
EOF

  cat >"$dir/ctl" <<'EOF'
#!/usr/bin/env bash
# rabbitmqctl against the private broker of this test run.
. "$(dirname "$0")/env"
exec "$RMQ_BIN/rabbitmqctl" -n "$RABBITMQ_NODENAME" "$@"
EOF

  cat >"$dir/start" <<'EOF'
#!/usr/bin/env bash
# Starts the private broker in the background; returns once it accepts AMQP connections.
set -euo pipefail
. "$(dirname "$0")/env"
if "$BROKER_DIR/ctl" ping >/dev/null 2>&1; then echo "private broker already running"; exit 0; fi
fail() {   # the boot error (e.g. eaddrinuse) is at the end of the server's stdout
  echo "private RabbitMQ: $1; end of $RABBITMQ_LOG_BASE/server.out:" >&2
  tail -n 30 "$RABBITMQ_LOG_BASE/server.out" >&2 2>/dev/null || true
  echo "errors in the node log:" >&2
  grep -m 10 '\[error\]' "$RABBITMQ_LOG_BASE/$RABBITMQ_NODENAME.log" >&2 2>/dev/null || true
  exit 1
}
rm -f "$RABBITMQ_PID_FILE"
# Own session (setsid): Ctrl-C reaches only run.sh, which stops the broker cleanly, and the
# session id lets stop find exactly the processes started here.
setsid "$RMQ_BIN/rabbitmq-server" </dev/null >>"$RABBITMQ_LOG_BASE/server.out" 2>&1 &
launcher=$!
echo "$launcher" >"$BROKER_DIR/server.pid"
# await_startup fails at once while the node is not yet registered with epmd: wait for that
# first, with epmd -names (cheap; each rabbitmqctl call costs about 1 s of CPU).
deadline=$((SECONDS + BROKER_START_TIMEOUT))
until epmd -port "$ERL_EPMD_PORT" -names 2>/dev/null | grep -q "^name ${RABBITMQ_NODENAME%@*} "; do
  kill -0 "$launcher" 2>/dev/null || fail "exited while starting"
  [ "$SECONDS" -lt "$deadline" ] || fail "not up after ${BROKER_START_TIMEOUT}s"
  sleep 0.2
done
left=$((deadline - SECONDS)); [ "$left" -gt 5 ] || left=5
"$BROKER_DIR/ctl" await_startup --timeout "$left" >/dev/null 2>&1 \
  || fail "boot failed or took over ${BROKER_START_TIMEOUT}s"
# await_startup says the app booted; check the AMQP listener really answers.
python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 5).close()' \
  "$BROKER_AMQP_PORT" 2>/dev/null || fail "AMQP port $BROKER_AMQP_PORT does not answer"
EOF

  cat >"$dir/stop" <<'EOF'
#!/usr/bin/env bash
# Stops the private broker, data kept; returns when it is down. --kill: SIGKILL, like a crash.
set -uo pipefail
. "$(dirname "$0")/env"
sid=$(cat "$BROKER_DIR/server.pid" 2>/dev/null || true)
# Processes of the session `start` created (launcher script, beam, its helpers); nothing else.
session_pids() { [ -n "$sid" ] && pgrep -s "$sid"; }
if ! session_pids >/dev/null; then
  :   # not running (already stopped): nothing to do
elif [ "${1:-}" = --kill ]; then
  pids=$(session_pids) && kill -KILL $pids 2>/dev/null
elif [ -f "$RABBITMQ_PID_FILE" ]; then
  # `stop <pid file>` returns once the Erlang VM has exited (it waits for a missing file!).
  timeout 60 "$BROKER_DIR/ctl" stop "$RABBITMQ_PID_FILE" >/dev/null 2>&1 || true
else
  timeout 60 "$BROKER_DIR/ctl" stop >/dev/null 2>&1 || true   # still booting: no pid file yet
fi
for signal in TERM TERM TERM TERM TERM KILL; do   # leftovers: TERM, then KILL after ~5 s
  for _ in 1 2 3 4 5; do session_pids >/dev/null || break 2; sleep 0.2; done
  pids=$(session_pids) && kill -"$signal" $pids 2>/dev/null
done
rm -f "$RABBITMQ_PID_FILE"
exit 0
EOF
  chmod +x "$dir/ctl" "$dir/start" "$dir/stop"
}

start_private_broker() {
  local attempt amqp dist epmd started
  BROKER_DIR=$(mktemp -d /tmp/milestones-rabbitmq.XXXXXX)
  for attempt in 1 2 3; do   # a port may be taken between the check and the bind: retry
    read -r amqp dist epmd < <(pick_ports)
    prepare_broker_dir "$BROKER_DIR" "$amqp" "$dist" "$epmd" "milestones-test-$$@localhost"
    log "starting private RabbitMQ: amqp=127.0.0.1:$amqp dist=$dist epmd=$epmd dir=$BROKER_DIR"
    started=$SECONDS
    if "$BROKER_DIR/start"; then
      log "private RabbitMQ ready in $((SECONDS - started))s"
      break
    fi
    "$BROKER_DIR/stop" >/dev/null 2>&1 || true
    kill_private_epmd "$BROKER_DIR"
    if [ "$attempt" = 3 ]; then log "could not start the private RabbitMQ"; exit 1; fi
    log "retrying with other ports"
    rm -rf "${BROKER_DIR:?}"/*
  done
  # Listening where we tell the tests it is? (grep a variable: `ss | grep -q` can SIGPIPE ss)
  local listening
  listening=$(ss -ltnH "sport = :$amqp")
  if ! grep -q "127.0.0.1:$amqp" <<<"$listening"; then
    log "private RabbitMQ is not listening on 127.0.0.1:$amqp"; exit 1
  fi
  export MILESTONES_TEST_RABBITMQ_HOST=127.0.0.1
  export MILESTONES_TEST_RABBITMQ_PORT=$amqp
  export MILESTONES_TEST_RABBITMQ_USER=guest
  export MILESTONES_TEST_RABBITMQ_PASS=guest
  export MILESTONES_TEST_RABBITMQ_CTL=$BROKER_DIR/ctl
  export MILESTONES_TEST_RABBITMQ_START=$BROKER_DIR/start
  export MILESTONES_TEST_RABBITMQ_STOP=$BROKER_DIR/stop
  export MILESTONES_REQUIRE_BROKER=1
  # The worker takes a message's source from its AMQP user_id, which RabbitMQ lets a connection set to another user's
  # name only if it is an impersonator: so the tests' admin user may publish as any upstream source. The broker
  # permission tests use real publisher users without that tag.
  "$BROKER_DIR/ctl" set_user_tags guest administrator impersonator >/dev/null
}
