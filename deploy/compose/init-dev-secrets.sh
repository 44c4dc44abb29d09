#!/usr/bin/env bash
# Generates the dev-only secrets for deploy/compose/compose.yaml into deploy/compose/.secrets/
# (git-ignored). Random values, new on every machine; nothing here is ever used by Kubernetes.
#
#   deploy/compose/init-dev-secrets.sh [--force]
#
# --force overwrites existing files. The broker imports its users again at every start (a restart applies
# new passwords); Grafana applies its admin password only on first start, so after --force also reset the
# stack's volumes: docker compose -f deploy/compose/compose.yaml down -v. Needs openssl, jq and perl.
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

# Files the containers read are bind-mounted, so they must be readable by the container users
# (UID 1654 for the worker, rabbitmq and grafana for theirs); the directory itself stays private.
write() { printf '%s' "$2" >"$dir/$1"; chmod 644 "$dir/$1"; }

# The broker's users, one password file each in .secrets/broker/: the worker's, one per upstream publisher
# (the catalog's source ids, for local publishers to connect as), a subscriber and an administrator for the
# management UI. deploy/rabbitmq/broker-permissions.sh turns them into the definitions the broker imports.
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
catalog="$repo/services/Milestones.Worker/catalog/fengtai-2023.json"
subscriber="local-dashboard"
admin="admin"
mkdir -p "$dir/broker"
chmod 700 "$dir/broker"
for user in milestones-worker $(jq -r '.sources[].id' "$catalog") "$subscriber" "$admin"; do
  printf '%s' "$(random)" >"$dir/broker/$user"
done
"$repo/deploy/rabbitmq/broker-permissions.sh" --definitions --vhost milestones --catalog "$catalog" \
  --subscribers "$subscriber" --admin-user "$admin" --secrets-dir "$dir/broker" >"$dir/rabbitmq-definitions.json"
chmod 644 "$dir/rabbitmq-definitions.json"

write RabbitMqTransport__Pass "$(cat "$dir/broker/milestones-worker")"
# Local MongoDB runs without authentication (dev only); the worker still reads its connection string
# from a secret file exactly as in Kubernetes.
write MongoDb__ConnectionString "mongodb://mongodb:27017/?replicaSet=rs0"
write grafana-admin-password "$(random)"

# The query API's tokens, for the local stack only: an RSA key whose public half the worker trusts as a JSON Web Key
# Set file (Api__Authentication__SigningKeysPath) and whose private half deploy/compose/dev-token.sh signs with.
b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$dir/api-token-signing.key" 2>/dev/null
chmod 600 "$dir/api-token-signing.key"
modulus="$(openssl rsa -in "$dir/api-token-signing.key" -noout -modulus | cut -d= -f2 | perl -ne 'chomp; print pack("H*", $_)' | b64url)"
write api-signing-keys.json "$(jq -cn --arg n "$modulus" '{keys: [{kty: "RSA", kid: "local-dev", use: "sig", alg: "RS256", n: $n, e: "AQAB"}]}')"

echo "init-dev-secrets: wrote the secrets to $dir"
echo "init-dev-secrets: RabbitMQ virtual host 'milestones'; users and passwords in $dir/broker/ (worker: milestones-worker;"
echo "init-dev-secrets:   publishers: the catalog's source ids; subscriber: $subscriber; management UI: $admin)"
echo "init-dev-secrets: Grafana user 'admin', password in $dir/grafana-admin-password"
echo "init-dev-secrets: query API tokens: deploy/compose/dev-token.sh (signs with $dir/api-token-signing.key)"
