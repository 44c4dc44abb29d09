#!/usr/bin/env bash
# Broker permissions as code: the Milestones virtual host, the worker's user, one user per upstream
# publisher and the subscriber users, with the narrowest permissions each needs. See deploy/README.md,
# "RabbitMQ users and permissions".
#
#   deploy/rabbitmq/broker-permissions.sh [options]                  # applies them (rabbitmqctl)
#   deploy/rabbitmq/broker-permissions.sh --definitions [options]    # prints a definitions file instead
#
# Options:
#   --vhost NAME          virtual host (default: milestones)
#   --worker-user NAME    the worker's user (default: milestones-worker)
#   --queue NAME          the worker's input queue, Messaging:QueueName (default: milestones-worker)
#   --feed-queue NAME     the MilestoneRecorded feed's queue, Feeds:MilestoneRecordedQueue
#                         (default: milestones.milestone-recorded.feed); "" when the worker declares none
#   --catalog FILE        publishers are the catalog's source ids, .sources[].id
#                         (default: services/Milestones.Worker/catalog/fengtai-2023.json)
#   --publishers "A B"    these publisher users instead of the catalog's
#   --subscribers "A B"   subscriber users; subscriber A owns the queues (and exchanges) named "A.*" and
#                         may consume the feed's queue
#   --ops-user NAME       also the ops user of the worker's `errors` commands: reads the sink queues
#                         (_error, _skipped, quarantine's, _dlq), puts messages back into them and into
#                         the input exchanges, with the impersonator tag (a moved message keeps its
#                         publisher's user_id); declares and deletes nothing
#   --admin-user NAME     also an administrator of the virtual host (for a local stack's management UI)
#   --secrets-dir DIR     the password of user U is the content of the file DIR/U
#   --sink-max-length N   bound of each sink queue in messages (default: 100000)
#   --sink-max-bytes N    bound of each sink queue in bytes of bodies (default: 1073741824, 1 GiB)
#   --definitions         print RabbitMQ definitions (JSON; salted SHA-256 password hashes) on stdout
#                         instead of applying them, e.g. for the broker's load_definitions at boot
#
# Passwords never come from arguments: from DIR/<user> (--secrets-dir), else from the environment
# variable MILESTONES_BROKER_PASSWORD_<USER> (upper case, every other character than A-Z 0-9 as _,
# e.g. MILESTONES_BROKER_PASSWORD_LIZE_PMO). A user without a password stops the script.
#
# Applying imports the definitions with `rabbitmqctl import_definitions` from stdin, one call: the virtual
# host is created when missing, users are created or updated (a changed password is applied), permissions
# are set, and so are the queue policies (below). Run it as often as you like; it never deletes a user (remove one
# with rabbitmqctl delete_user).
#
# Queue policies (a policy, not queue arguments: MassTransit declares the queues, and a queue argument that changes
# makes every later declaration fail with PRECONDITION_FAILED; a policy is applied to existing queues at once):
#   milestones-sink-queues   <queue>(-retractions|-progress|-registrations)?(_quarantine)?(_error|_skipped|_dlq):
#                            max-length, max-length-bytes,
#                            overflow reject-publish. At the bound the broker refuses the move (a publisher nack): the
#                            message stays in the queue it was moving from and is delivered again; nothing is dropped.
#   milestones-quarantine    <queue>(-retractions|-progress|-registrations)?_quarantine: the same bound, and
#                            dead-letter-strategy at-least-once.
#   milestones-feed-queue    the feed's queue: the same bound, overflow reject-publish. At the bound the broker refuses
#                            the worker's publish: the MilestoneRecorded stays in the worker's outbox until there is room.
#   milestones-input-queues  <queue>(-retractions|-progress|-registrations)?: overflow reject-publish and dead-letter-strategy at-least-once, no
#                            bound. With at-least-once a message reaching its delivery limit is kept by its queue until
#                            the dead-letter queue takes it; RabbitMQ's default (at-most-once) would drop it when the
#                            dead-letter queue is full.
# RABBITMQCTL is the command that runs rabbitmqctl (default: rabbitmqctl), split on spaces, e.g.
#   RABBITMQCTL="kubectl exec -i -n rabbitmq rabbitmq-server-0 -- rabbitmqctl"
#
# Needs bash, jq and openssl.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
vhost=milestones
worker_user=milestones-worker
queue=milestones-worker
feed_queue=milestones.milestone-recorded.feed
catalog=$repo/services/Milestones.Worker/catalog/fengtai-2023.json
publishers=""
publishers_given=false
subscribers=""
admin_user=""
ops_user=""
secrets_dir=""
sink_max_length=100000
sink_max_bytes=1073741824
mode=apply

die() { echo "broker-permissions: $*" >&2; exit 2; }
need() { if [ $# -lt 2 ] || [ -z "$2" ]; then die "$1 needs a value"; fi; }

while [ $# -gt 0 ]; do
  case $1 in
    --vhost) need "$@"; vhost=$2; shift 2 ;;
    --worker-user) need "$@"; worker_user=$2; shift 2 ;;
    --queue) need "$@"; queue=$2; shift 2 ;;
    --feed-queue) [ $# -ge 2 ] || die "--feed-queue needs a value"; feed_queue=$2; shift 2 ;;
    --catalog) need "$@"; catalog=$2; shift 2 ;;
    --publishers) need "$@"; publishers=$2; publishers_given=true; shift 2 ;;
    --subscribers) [ $# -ge 2 ] || die "--subscribers needs a value"; subscribers=$2; shift 2 ;;
    --admin-user) need "$@"; admin_user=$2; shift 2 ;;
    --ops-user) need "$@"; ops_user=$2; shift 2 ;;
    --secrets-dir) need "$@"; secrets_dir=$2; shift 2 ;;
    --sink-max-length) need "$@"; sink_max_length=$2; shift 2 ;;
    --sink-max-bytes) need "$@"; sink_max_bytes=$2; shift 2 ;;
    --definitions) mode=definitions; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument: $1 (see --help)" ;;
  esac
done

command -v jq >/dev/null || die "jq is needed"
command -v openssl >/dev/null || die "openssl is needed"

if [ "$publishers_given" = false ]; then
  [ -f "$catalog" ] || die "no catalog at $catalog (give --catalog FILE or --publishers \"A B\")"
  publishers=$(jq -r '.sources[]?.id' "$catalog" | tr '\n' ' ')
  publishers=${publishers% }
  [ -n "${publishers// /}" ] || die "the catalog $catalog names no sources"
fi

read -r -a publisher_users <<<"$publishers"
read -r -a subscriber_users <<<"$subscribers"
admin_users=()
[ -z "$admin_user" ] || admin_users=("$admin_user")
ops_users=()
[ -z "$ops_user" ] || ops_users=("$ops_user")

# Names end up in regular expressions and in MassTransit's entity names: keep them plain.
valid_name() { [[ $1 =~ ^[A-Za-z0-9][A-Za-z0-9._-]*$ ]]; }
for name in "$vhost" "$worker_user" "$queue" "${publisher_users[@]}" "${subscriber_users[@]}" "${admin_users[@]}" "${ops_users[@]}"; do
  valid_name "$name" || die "invalid name '$name': letters, digits, '.', '_' and '-' only"
done
[ -z "$feed_queue" ] || valid_name "$feed_queue" || die "invalid name '$feed_queue': letters, digits, '.', '_' and '-' only"
for bound in "$sink_max_length" "$sink_max_bytes"; do
  [[ $bound =~ ^[1-9][0-9]*$ ]] || die "invalid sink bound '$bound': a whole number above zero"
done
# A regular expression matching exactly the text $1.
literal() { printf '%s' "$1" | sed 's/[.]/\\./g'; }

# --- the permissions (configure, write, read: regular expressions over exchange and queue names) ----------
# What the worker declares, all MassTransit names: for each input queue (QueueName, QueueName-retractions,
# QueueName-progress, QueueName-registrations)
# the queue, the exchange of the same name, and the _error, _skipped, _dlq and _quarantine queues and
# exchanges (and the quarantine's own _quarantine_error and _quarantine_skipped); the input exchanges it binds to and the output exchanges it publishes to; MassTransit's fault
# exchanges (MassTransit:Fault, and MassTransit:Fault--Milestones.Contracts:<Type>-- bound to it: a refused
# event publishes a Fault<MilestoneReached>); the temporary bus endpoint (HOST_PROCESS_bus_ID).
q=$(literal "$queue")
inputs='(-retractions|-progress|-registrations)'
worker_queues="$q$inputs?(_quarantine)?(_error|_skipped|_dlq)?"
input_exchanges='milestones\.(milestone-reached|milestone-retracted|progress-reported|project-registered)'
output_exchanges='milestones\.(project-completed|project-reopened|target-met|milestone-overdue|milestone-recorded)'
# The feed's queue, declared and bound to milestones.milestone-recorded by the worker, consumed by subscribers.
# (?!) matches nothing: without a feed queue the patterns below gain nothing.
if [ -n "$feed_queue" ]; then feed="$(literal "$feed_queue")"; else feed='(?!)'; fi
feed_exchange='milestones\.milestone-recorded'
fault_exchanges='MassTransit:Fault(--Milestones\.Contracts:[A-Za-z]+--)?'
# No dot in it: a subscriber's resources all start with "S.", so this can never reach them.
bus_endpoint='[A-Za-z0-9_-]+_bus_[a-z0-9]+'
worker_configure="^($worker_queues|$feed|$input_exchanges|$output_exchanges|$fault_exchanges|$bus_endpoint)\$"
# Publishing into its own input exchanges is not the worker's business: no write on them (binding its
# queue's exchange to them needs read on the source only). Write on the feed's queue: binding it needs write on the
# queue and read on the feed's exchange.
worker_write="^($worker_queues|$feed|$output_exchanges|$fault_exchanges|$bus_endpoint)\$"
# Read on the fault exchanges too: MassTransit binds each type's fault exchange to MassTransit:Fault.
worker_read="^($worker_queues|$input_exchanges|$feed_exchange|$fault_exchanges|$bus_endpoint)\$"
# A publisher: publish to the input exchanges, nothing else (it declares nothing and reads nothing).
publisher_configure='^$'
publisher_write="^$input_exchanges\$"
publisher_read='^$'
# The ops user: read (consume) the sink queues; write (publish) to their exchanges, to put a listed message
# back, and to the input exchanges, to redrive one. Nothing to declare: it only passively checks queues.
sink_queues="$q$inputs?(_quarantine)?(_error|_skipped)|${q}_dlq"
ops_configure='^$'
ops_write="^($sink_queues|$input_exchanges)\$"
ops_read="^($sink_queues)\$"
# A subscriber S: its own queues and exchanges "S.*" (declare, bind, consume), bind from the output exchanges, and
# consume the feed's queue (shared by the projections that read it: each message goes to one of them).
subscriber_configure() { printf '^%s\\..+$' "$(literal "$1")"; }
subscriber_write() { printf '^%s\\..+$' "$(literal "$1")"; }
subscriber_read() { printf '^(%s\\..+|%s|%s)$' "$(literal "$1")" "$output_exchanges" "$feed"; }

# A subscriber's prefix must not reach anything of the worker's.
for s in "${subscriber_users[@]}"; do
  case $s in
    milestones|MassTransit|"$queue"|"$queue"-retractions|"$queue"-progress|"$queue"-registrations) die "subscriber name '$s' would own the worker's exchanges or queues" ;;
  esac
done
# One role per user.
all_users=$(printf '%s\n' "$worker_user" "${publisher_users[@]}" "${subscriber_users[@]}" "${admin_users[@]}" "${ops_users[@]}")
duplicate=$(sort <<<"$all_users" | uniq -d | head -n 1)
[ -z "$duplicate" ] || die "user '$duplicate' is given more than one role"

# --- passwords ----------------------------------------------------------------------------------------------
password_of() {
  local user=$1 variable
  if [ -n "$secrets_dir" ] && [ -f "$secrets_dir/$user" ]; then
    cat "$secrets_dir/$user"
    return
  fi
  variable=MILESTONES_BROKER_PASSWORD_$(printf '%s' "$user" | tr '[:lower:]' '[:upper:]' | tr -c 'A-Z0-9' '_')
  if [ -n "${!variable:-}" ]; then
    printf '%s' "${!variable}"
    return
  fi
  die "no password for user '$user': put it in ${secrets_dir:-<--secrets-dir>}/$user or in \$$variable"
}

# RabbitMQ's rabbit_password_hashing_sha256: base64(salt ++ sha256(salt ++ password)), 4 random salt bytes.
password_hash() {
  local salt
  salt=$(openssl rand -hex 4 | sed 's/../\\x&/g')
  { printf '%b' "$salt"; { printf '%b' "$salt"; printf '%s' "$1"; } | openssl dgst -sha256 -binary; } | openssl base64 -A
}

user_json() {   # name tags...
  local name=$1 password
  shift
  password=$(password_of "$name")
  [ -n "$password" ] || die "the password of user '$name' is empty"
  [ "$password" != guest ] || die "user '$name' may not have the password 'guest'"
  jq -nc --arg name "$name" --arg hash "$(password_hash "$password")" '$ARGS.positional as $tags |
    { name: $name, password_hash: $hash, hashing_algorithm: "rabbit_password_hashing_sha256", tags: $tags }' --args "$@"
}

permission_json() {   # user configure write read
  jq -nc --arg user "$1" --arg vhost "$vhost" --arg configure "$2" --arg write "$3" --arg read "$4" \
    '{ user: $user, vhost: $vhost, configure: $configure, write: $write, read: $read }'
}

users=()
permissions=()
# The worker moves refused and unreadable messages to its _error/_skipped queues as they came, with the
# publisher's validated user_id: RabbitMQ accepts that from a connection of another user only with the
# impersonator tag.
users+=("$(user_json "$worker_user" impersonator)")
permissions+=("$(permission_json "$worker_user" "$worker_configure" "$worker_write" "$worker_read")")
for p in "${publisher_users[@]}"; do
  users+=("$(user_json "$p")")
  permissions+=("$(permission_json "$p" "$publisher_configure" "$publisher_write" "$publisher_read")")
done
for s in "${subscriber_users[@]}"; do
  users+=("$(user_json "$s")")
  permissions+=("$(permission_json "$s" "$(subscriber_configure "$s")" "$(subscriber_write "$s")" "$(subscriber_read "$s")")")
done
if [ -n "$ops_user" ]; then
  # The errors commands put messages back as they came, with the publisher's validated user_id: RabbitMQ
  # accepts that only from a user with the impersonator tag.
  users+=("$(user_json "$ops_user" impersonator)")
  permissions+=("$(permission_json "$ops_user" "$ops_configure" "$ops_write" "$ops_read")")
fi
if [ -n "$admin_user" ]; then
  users+=("$(user_json "$admin_user" administrator)")
  permissions+=("$(permission_json "$admin_user" '.*' '.*' '.*')")
fi

# --- queue policies: bounded sink queues that refuse rather than drop (see the header) ------------------------
policy_json() {   # name pattern definition
  jq -nc --arg vhost "$vhost" --arg name "$1" --arg pattern "$2" --argjson definition "$3" \
    '{ vhost: $vhost, name: $name, pattern: $pattern, "apply-to": "queues", priority: 10, definition: $definition }'
}
bound=$(jq -nc --argjson length "$sink_max_length" --argjson bytes "$sink_max_bytes" \
  '{ "max-length": $length, "max-length-bytes": $bytes, overflow: "reject-publish" }')
policies=(
  "$(policy_json milestones-sink-queues "^$q$inputs?(_quarantine)?(_error|_skipped|_dlq)\$" "$bound")"
  "$(policy_json milestones-quarantine "^$q$inputs?_quarantine\$" "$(jq -c '. + { "dead-letter-strategy": "at-least-once" }' <<<"$bound")")"
  "$(policy_json milestones-input-queues "^$q$inputs?\$" '{ "overflow": "reject-publish", "dead-letter-strategy": "at-least-once" }')"
)
[ -z "$feed_queue" ] || policies+=("$(policy_json milestones-feed-queue "^$feed\$" "$bound")")

definitions=$(jq -n --arg vhost "$vhost" \
  --argjson users "$(printf '%s\n' "${users[@]}" | jq -s .)" \
  --argjson permissions "$(printf '%s\n' "${permissions[@]}" | jq -s .)" \
  --argjson policies "$(printf '%s\n' "${policies[@]}" | jq -s .)" \
  '{ vhosts: [{ name: $vhost }], users: $users, permissions: $permissions, policies: $policies }')

if [ "$mode" = definitions ]; then
  printf '%s\n' "$definitions"
  exit 0
fi

read -r -a ctl <<<"${RABBITMQCTL:-rabbitmqctl}"
printf '%s\n' "$definitions" | "${ctl[@]}" import_definitions -q --format json
echo "broker-permissions: virtual host '$vhost': worker '$worker_user', publishers: ${publishers}, subscribers: ${subscribers:-none}${ops_user:+, ops $ops_user}${admin_user:+, administrator $admin_user}; sink queues bounded at $sink_max_length messages / $sink_max_bytes bytes" >&2
