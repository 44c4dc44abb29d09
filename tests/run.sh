#!/usr/bin/env bash
# Runs every test of the repository: the one command for developers and CI (.ci/run calls it).
#
#   tests/run.sh                      # from any directory
#
# What it does:
#   1. Installs Debian's rabbitmq-server if missing (a system broker it may auto-start is left alone).
#   2. Starts a PRIVATE RabbitMQ broker on free ports, with its data in a temp dir, so tests never
#      touch (or depend on) a system broker on 5672 and several runs can go side by side.
#   3. Runs `dotnet test Milestones.sln -c Release` once, with TRX results.
#   4. Prints skipped tests with their reasons, failed tests, and as its LAST line:
#        N passed, N failed, N skipped
#   5. Stops the private broker and its epmd, removes the temp dir (also on error or Ctrl-C).
#   Exit status: non-zero if `dotnet test` failed, any test failed, or no test ran.
#
# Environment the tests get (when the broker is started):
#   MILESTONES_TEST_RABBITMQ_HOST=127.0.0.1   MILESTONES_TEST_RABBITMQ_PORT=<AMQP port>
#   MILESTONES_TEST_RABBITMQ_USER=guest       MILESTONES_TEST_RABBITMQ_PASS=guest
#   MILESTONES_TEST_RABBITMQ_CTL    script: rabbitmqctl against the private broker ("$CTL" list_queues)
#   MILESTONES_TEST_RABBITMQ_STOP   script: stops the private broker, data kept (returns when it is
#                                   down); `--kill` kills it with SIGKILL instead, like a crash
#   MILESTONES_TEST_RABBITMQ_START  script: starts it again, same ports and data; returns when ready
#   MILESTONES_REQUIRE_BROKER=1     tests needing the broker must fail, not skip, when it is unreachable
#
# Optional knobs:
#   MILESTONES_TEST_FILTER=<expr>   passed to `dotnet test --filter`
#   MILESTONES_SKIP_BROKER=1        no broker (then MILESTONES_REQUIRE_BROKER is not set)
#   MILESTONES_TEST_RESULTS_DIR=<d> keep the TRX files there (default: temp dir, removed on exit)
#   MILESTONES_TEST_BROKER_TIMEOUT  seconds a broker start may take (default 120: usually 6-15 s,
#                                   but 52 s seen on a 2-core machine at load average 15)
#   MILESTONES_TEST_DRYRUN=1        no dotnet: exercise the broker lifecycle instead (CTL status,
#                                   STOP, START, CTL status, AMQP connect, STOP --kill, START), to
#                                   check this script
set -euo pipefail

# Work from the repository root whatever the caller's cwd.
CALLER_DIR=$PWD
cd "$(dirname "${BASH_SOURCE[0]}")/.."

RMQ_BIN=/usr/lib/rabbitmq/bin   # not /usr/sbin: as root those re-exec as user rabbitmq
BROKER_DIR=""                   # temp dir of this run; empty until created (cleanup checks it)
TEST_PID=""                     # pid of `dotnet test` while it runs
BROKER_START_TIMEOUT=${MILESTONES_TEST_BROKER_TIMEOUT:-120}  # seconds, per start (see header)

log() { echo "[run.sh] $*"; }

# --- cleanup: always stop what we started, and only that -----------------------------------------
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

cleanup() {
  local dir=$BROKER_DIR
  # Interrupted while tests run: stop them first, they would only fail without the broker.
  if [ -n "$TEST_PID" ] && kill -0 "$TEST_PID" 2>/dev/null; then
    kill -TERM "$TEST_PID" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$TEST_PID" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$TEST_PID" 2>/dev/null || true
    wait "$TEST_PID" 2>/dev/null || true
  fi
  [ -n "$dir" ] || return 0
  BROKER_DIR=""   # only once, though both main and the EXIT trap call it
  if [ -x "$dir/stop" ]; then "$dir/stop" >/dev/null 2>&1 || true; fi
  kill_private_epmd "$dir"
  rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT    # exit runs the EXIT trap
trap 'exit 143' TERM

# --- 1. What the tests need from Debian, installed when missing --------------------------------------
# rabbitmq-server: the real broker. shellcheck and prometheus (for promtool): the deploy tests lint the
# scripts and unit-test the alert rules with them. amqp-tools: a non-.NET publisher for the README's example.
# Debian's policy here forbids auto-starting services,
# and a system broker that does start is never used.
install_test_tools() {
  local missing=()
  [ -x "$RMQ_BIN/rabbitmq-server" ] || missing+=(rabbitmq-server)
  command -v shellcheck >/dev/null || missing+=(shellcheck)
  command -v promtool >/dev/null || missing+=(prometheus)
  command -v amqp-publish >/dev/null || missing+=(amqp-tools)
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]} (Debian packages)"
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
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
  # (RabbitMQ allows it over loopback anyway).
  cat >"$dir/rabbitmq.conf" <<EOF
listeners.tcp.default = 127.0.0.1:$amqp
loopback_users = none
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
}

# MILESTONES_TEST_DRYRUN=1: what an integration test does with the wrappers, without dotnet.
amqp_answers() {
  python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 2).close()' \
    "$MILESTONES_TEST_RABBITMQ_PORT" 2>/dev/null
}
dry_run() {
  local t
  log "dry run: CTL status"
  "$MILESTONES_TEST_RABBITMQ_CTL" status | grep -iE 'Node name|RabbitMQ version|Erlang configuration|Uptime|interface:'
  log "dry run: STOP"
  t=$SECONDS; "$MILESTONES_TEST_RABBITMQ_STOP"; log "stopped in $((SECONDS - t))s"
  if amqp_answers; then log "dry run: AMQP port still open after STOP"; return 1; fi
  log "dry run: START"
  t=$SECONDS; "$MILESTONES_TEST_RABBITMQ_START"; log "started again in $((SECONDS - t))s"
  log "dry run: CTL status"
  "$MILESTONES_TEST_RABBITMQ_CTL" status | grep -iE 'Node name|RabbitMQ version|Uptime|interface:'
  if ! amqp_answers; then log "dry run: AMQP port closed after START"; return 1; fi
  log "dry run: 127.0.0.1:$MILESTONES_TEST_RABBITMQ_PORT accepts connections"
  log "dry run: STOP --kill (crash), START"
  "$MILESTONES_TEST_RABBITMQ_STOP" --kill
  if amqp_answers; then log "dry run: AMQP port still open after STOP --kill"; return 1; fi
  t=$SECONDS; "$MILESTONES_TEST_RABBITMQ_START"; log "started after crash in $((SECONDS - t))s"
  if ! amqp_answers; then log "dry run: AMQP port closed after START"; return 1; fi
  log "dry run: 127.0.0.1:$MILESTONES_TEST_RABBITMQ_PORT accepts connections"
}

# --- 4. results: every TRX file -------------------------------------------------------------------
# Prints skipped tests with reasons, failed tests, and last "N passed, N failed, N skipped".
# Exit 1 if a test failed or none ran (skipped ones don't count as run).
summarize_trx() {
  python3 - "$1" <<'PY'
import glob, os, sys
import xml.etree.ElementTree as ET

ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
passed, failed, skipped = [], [], []
counter_failed = 0

def text(result, path):
    node = result.find(path, ns)
    return " ".join((node.text or "").split()) if node is not None else ""

files = sorted(glob.glob(os.path.join(sys.argv[1], "**", "*.trx"), recursive=True))
for path in files:
    root = ET.parse(path).getroot()
    for r in root.iterfind(".//t:Results/t:UnitTestResult", ns):
        name, outcome = r.get("testName", "?"), r.get("outcome", "")
        if outcome == "Passed":
            passed.append(name)
        elif outcome in ("NotExecuted", "Skipped"):
            reason = (text(r, "t:Output/t:ErrorInfo/t:Message") or text(r, "t:Output/t:StdOut")
                      or text(r, "t:Output/t:TextMessages/t:Message") or "(no reason given)")
            skipped.append((name, reason))
        else:
            failed.append((name, outcome, text(r, "t:Output/t:ErrorInfo/t:Message")))
    # A crashed test host can fail a run with no failed UnitTestResult: keep the counters' word.
    c = root.find("t:ResultSummary/t:Counters", ns)
    if c is not None:
        counter_failed += sum(int(c.get(k, "0")) for k in ("failed", "error", "timeout", "aborted"))
    for info in root.iterfind("t:ResultSummary/t:RunInfos/t:RunInfo", ns):
        if info.get("outcome") == "Error":   # e.g. a test host crash; warnings are just noise
            print(f"run error ({os.path.basename(path)}): {text(info, 't:Text')[:500]}")

n_failed = max(len(failed), counter_failed)
print(f"TRX files read: {len(files)}")
if skipped:
    print(f"Skipped tests ({len(skipped)}):")
    for name, reason in skipped:
        print(f"  SKIPPED {name}: {reason[:500]}")
if failed:
    print(f"Failed tests ({len(failed)}):")
    for name, outcome, message in failed:
        print(f"  FAILED  {name} [{outcome}]: {message[:300]}")
if len(passed) + n_failed == 0:
    print("No test ran.")
print(f"{len(passed)} passed, {n_failed} failed, {len(skipped)} skipped")
sys.exit(1 if n_failed or len(passed) + n_failed == 0 else 0)
PY
}

# --- main --------------------------------------------------------------------------------------------
if [ "${MILESTONES_SKIP_BROKER:-}" = 1 ]; then
  log "MILESTONES_SKIP_BROKER=1: no broker; tests that need one skip"
  unset MILESTONES_REQUIRE_BROKER
else
  install_test_tools
  start_private_broker
fi

if [ "${MILESTONES_TEST_DRYRUN:-}" = 1 ]; then
  [ -n "$BROKER_DIR" ] || { log "a dry run needs the broker"; exit 1; }
  dry_run
  cleanup
  log "dry run done"
  exit 0
fi

# TRX files go to the temp dir (removed on exit) unless the caller wants to keep them.
RESULTS_DIR=${MILESTONES_TEST_RESULTS_DIR:-}
case $RESULTS_DIR in ""|/*) ;; *) RESULTS_DIR=$CALLER_DIR/$RESULTS_DIR ;; esac   # relative to caller
if [ -z "$RESULTS_DIR" ]; then
  [ -n "$BROKER_DIR" ] || BROKER_DIR=$(mktemp -d /tmp/milestones-tests.XXXXXX)   # cleanup removes it
  RESULTS_DIR=$BROKER_DIR/results
fi
mkdir -p "$RESULTS_DIR"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
# The test projects use xunit.v3's mtp-off flavour, so VSTest runs them and the TRX and console
# loggers below work. Build once (in parallel), then run the test projects one at a time: some
# integration tests stop and restart the shared private broker, which would break another
# project's tests running at the same moment.
build_args=(build Milestones.sln -c Release)
test_args=(test Milestones.sln -c Release --no-build -m:1
  --results-directory "$RESULTS_DIR"
  --logger "trx;LogFilePrefix=tr"
  --logger "console;verbosity=normal")
if [ -n "${MILESTONES_TEST_FILTER:-}" ]; then
  test_args+=(--filter "$MILESTONES_TEST_FILTER")
fi

# All test projects run even if one fails; keep the exit code rather than let set -e stop here.
# In the background + wait, so that INT/TERM are handled at once (bash defers traps until a
# foreground command ends).
dotnet_rc=0
log "dotnet ${build_args[*]}"
dotnet "${build_args[@]}" &
TEST_PID=$!
wait "$TEST_PID" || dotnet_rc=$?
TEST_PID=""
if [ "$dotnet_rc" = 0 ]; then
  log "dotnet ${test_args[*]}"
  dotnet "${test_args[@]}" &
  TEST_PID=$!
  wait "$TEST_PID" || dotnet_rc=$?
  TEST_PID=""
fi

report_rc=0
report=$(summarize_trx "$RESULTS_DIR") || report_rc=$?

# Stop the broker before the report: the summary must be the last line printed.
cleanup
if [ "$dotnet_rc" != 0 ]; then echo "dotnet test exited with code $dotnet_rc"; fi
printf '%s\n' "$report"
if [ "$dotnet_rc" != 0 ] || [ "$report_rc" != 0 ]; then exit 1; fi
exit 0
