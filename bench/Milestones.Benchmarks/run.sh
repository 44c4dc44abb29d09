#!/usr/bin/env bash
# The benchmark's one command (see docs/benchmarks.md):
#
#   bench/Milestones.Benchmarks/run.sh [--count 100000] [--queue quorum|classic|both] [--reps 3] [--million] [--smoke] ...
#
# Builds the benchmark and the worker (Release) and runs every scenario against one RabbitMQ broker: the one
# MILESTONES_TEST_RABBITMQ_HOST/PORT/USER/PASS name when they are set (as tests/run.sh exports them), else a
# private broker started here the way tests/run.sh starts its own (tests/rabbitmq.sh), stopped on exit.
# `--help` lists the options.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

log() { echo "[bench] $*"; }

# shellcheck source=tests/rabbitmq.sh
. tests/rabbitmq.sh

cleanup() {
  local dir=$BROKER_DIR
  [ -n "$dir" ] || return 0
  BROKER_DIR=""
  stop_private_broker "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [ -z "${MILESTONES_TEST_RABBITMQ_HOST:-}" ]; then
  install_rabbitmq
  start_private_broker
else
  log "using the broker at $MILESTONES_TEST_RABBITMQ_HOST:${MILESTONES_TEST_RABBITMQ_PORT:-5672}"
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build bench/Milestones.Benchmarks -c Release -v quiet -nologo
# Not `dotnet run`: the benchmark should not share the machine with the CLI's own process while it measures.
dotnet bench/Milestones.Benchmarks/bin/Release/net10.0/Milestones.Benchmarks.dll "$@"
