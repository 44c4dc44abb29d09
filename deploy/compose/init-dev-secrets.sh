#!/usr/bin/env bash
# Generates the dev-only secrets for deploy/compose/compose.yaml into deploy/compose/.secrets/
# (git-ignored). Random values, new on every machine; nothing here is ever used by Kubernetes.
#
#   deploy/compose/init-dev-secrets.sh [--force]
#
# --force overwrites existing files. The broker and Grafana apply their credentials only on first
# start, so after --force also reset the stack's volumes: docker compose -f deploy/compose/compose.yaml down -v
set -euo pipefail

dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/.secrets"
force=false
[[ "${1:-}" == "--force" ]] && force=true

if [[ -d "$dir" && "$force" == false ]]; then
  echo "init-dev-secrets: $dir exists; keeping it (use --force to regenerate)"
  exit 0
fi

umask 077
mkdir -p "$dir"
chmod 700 "$dir"

random() { openssl rand -hex 24; }
rabbitmq_pass=$(random)

# Files the containers read are bind-mounted, so they must be readable by the container users
# (UID 1654 for the worker, rabbitmq and grafana for theirs); the directory itself stays private.
write() { printf '%s' "$2" >"$dir/$1"; chmod 644 "$dir/$1"; }

write RabbitMqTransport__Pass "$rabbitmq_pass"
# Local MongoDB runs without authentication (dev only); the worker still reads its connection string
# from a secret file exactly as in Kubernetes.
write MongoDb__ConnectionString "mongodb://mongodb:27017/?replicaSet=rs0"
write rabbitmq-dev-credentials.conf "default_user = milestones
default_pass = $rabbitmq_pass
default_vhost = /
default_permissions.configure = .*
default_permissions.read = .*
default_permissions.write = .*
"
write grafana-admin-password "$(random)"

echo "init-dev-secrets: wrote the secrets to $dir"
echo "init-dev-secrets: RabbitMQ user 'milestones', password in $dir/RabbitMqTransport__Pass"
echo "init-dev-secrets: Grafana user 'admin', password in $dir/grafana-admin-password"
