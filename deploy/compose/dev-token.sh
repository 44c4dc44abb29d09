#!/usr/bin/env bash
# Prints a bearer token for the local stack's query API (deploy/compose/compose.yaml), signed with the key that
# init-dev-secrets.sh generated; the worker trusts its public half (.secrets/api-signing-keys.json). Local stack only:
# in Kubernetes the tokens come from the identity provider named by Api__Authentication__Authority.
#
#   curl -s -H "Authorization: Bearer $(deploy/compose/dev-token.sh)" localhost:8080/projects
#   deploy/compose/dev-token.sh [subject] [lifetime-seconds]      # defaults: local-user, 3600
#
# The issuer and audience must match the worker's Api__Authentication__Issuer and __Audience in compose.yaml.
set -euo pipefail

dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/.secrets"
key="$dir/api-token-signing.key"
issuer="https://milestones.local/dev-issuer"
audience="milestones-api"
subject="${1:-local-user}"
lifetime="${2:-3600}"

if [[ ! -f "$key" ]]; then
  echo "dev-token: $key is missing; run deploy/compose/init-dev-secrets.sh first" >&2
  exit 2
fi

b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }
now="$(date +%s)"
header="$(printf '{"alg":"RS256","typ":"JWT","kid":"local-dev"}' | b64url)"
payload="$(jq -cn --arg iss "$issuer" --arg aud "$audience" --arg sub "$subject" --argjson now "$now" --argjson exp "$((now + lifetime))" \
  '{iss: $iss, aud: $aud, sub: $sub, iat: $now, nbf: $now, exp: $exp}' | b64url)"
signature="$(printf '%s.%s' "$header" "$payload" | openssl dgst -sha256 -sign "$key" -binary | b64url)"
printf '%s.%s.%s\n' "$header" "$payload" "$signature"
