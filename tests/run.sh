#!/usr/bin/env bash
# Runs every test of the repository: the one command for developers and CI (.ci/run calls it).
#
#   tests/run.sh                      # from any directory
#
# What it does:
#   1. Installs Debian's rabbitmq-server if missing (a system broker it may auto-start is left alone).
#   2. Starts a PRIVATE RabbitMQ broker on free ports, with its data in a temp dir, so tests never
#      touch (or depend on) a system broker on 5672 and several runs can go side by side.
#   3. Restores in locked mode (the committed packages.lock.json files), builds, then runs
#      `dotnet test Milestones.sln -c Release` once, with TRX results.
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

TEST_PID=""                     # pid of `dotnet test` while it runs

log() { echo "[run.sh] $*"; }

# --- 2. the private broker: start_private_broker, stop_private_broker (shared with the benchmark's
# wrapper, which also uses install_rabbitmq); sets BROKER_DIR and RMQ_BIN.
# shellcheck source=tests/rabbitmq.sh
. tests/rabbitmq.sh

# --- cleanup: always stop what we started, and only that -----------------------------------------
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
  stop_private_broker "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT    # exit runs the EXIT trap
trap 'exit 143' TERM

# --- 1. What the tests need from Debian, installed when missing --------------------------------------
# rabbitmq-server: the real broker. shellcheck and prometheus (for promtool): the deploy tests lint the
# scripts and unit-test the alert rules with them. amqp-tools: a non-.NET publisher for the README's example.
# openssl: the TLS tests make their CA and certificates with it (on a fresh Debian machine already).
# Debian's policy here forbids auto-starting services,
# and a system broker that does start is never used.
install_test_tools() {
  local missing=()
  [ -x "$RMQ_BIN/rabbitmq-server" ] || missing+=(rabbitmq-server)
  command -v shellcheck >/dev/null || missing+=(shellcheck)
  command -v promtool >/dev/null || missing+=(prometheus)
  command -v amqp-publish >/dev/null || missing+=(amqp-tools)
  command -v openssl >/dev/null || missing+=(openssl)
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]} (Debian packages)"
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
  fi
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
# Restore first, in locked mode: exactly the versions in the projects' packages.lock.json, or a failure that names
# the project whose dependencies changed (run `dotnet restore` to update its lock file, and commit it).
restore_args=(restore Milestones.sln --locked-mode)
build_args=(build Milestones.sln -c Release --no-restore)
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
# Runs one dotnet step unless an earlier one failed, keeping its exit code in dotnet_rc.
dotnet_step() {
  [ "$dotnet_rc" = 0 ] || return 0
  log "dotnet $*"
  dotnet "$@" &
  TEST_PID=$!
  wait "$TEST_PID" || dotnet_rc=$?
  TEST_PID=""
}
dotnet_step "${restore_args[@]}"
dotnet_step "${build_args[@]}"
dotnet_step "${test_args[@]}"

report_rc=0
report=$(summarize_trx "$RESULTS_DIR") || report_rc=$?

# Stop the broker before the report: the summary must be the last line printed.
cleanup
if [ "$dotnet_rc" != 0 ]; then echo "dotnet test exited with code $dotnet_rc"; fi
printf '%s\n' "$report"
if [ "$dotnet_rc" != 0 ] || [ "$report_rc" != 0 ]; then exit 1; fi
exit 0
