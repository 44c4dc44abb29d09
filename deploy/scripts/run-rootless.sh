#!/usr/bin/env bash
# Runs a published .NET app the way deploy/Dockerfile and the Kubernetes manifests run it, without a
# container engine: as UID/GID 1654 with no supplementary groups, no capabilities and no_new_privs,
# on a read-only view of the whole filesystem with a private tmpfs on /tmp, working directory = the
# publish directory (the image's WORKDIR /app).
#
#   sudo deploy/scripts/run-rootless.sh PUBLISH_DIR [app arguments...]
#
# Environment:
#   APP_DLL          entry assembly inside PUBLISH_DIR (default: Milestones.Worker.dll)
#   RUN_UID/RUN_GID  identity to run as (default: 1654/1654, the `app` user of the .NET images)
#   TMP_SIZE         size of the /tmp tmpfs (default: 64m, as the Kubernetes emptyDir)
#   DOTNET           dotnet host to use (default: the one on PATH)
#   START_TIMEOUT    seconds to wait for the dotnet process to appear (default: 15)
# Every other variable of the caller (ASPNETCORE_URLS, Messaging__Transport, ...) is passed to the app,
# except HOME, which is set to /tmp like a container user without a writable home.
#
# Needs root (to create the mount namespace and drop to RUN_UID), util-linux's unshare, setpriv and
# nsenter. Once the app runs it prints its credentials from /proc/<pid>/status and checks from inside
# the app's mount namespace that / is not writable and /tmp is. It then waits for the app and exits
# with its status; SIGINT/SIGTERM are forwarded as SIGTERM, so a graceful shutdown can be observed too.
set -euo pipefail

usage() {
  sed -n '2,/^set -euo/p' "$0" | sed -e '/^set -euo/d' -e 's/^# \{0,1\}//' >&2
  exit 2
}

[[ $# -ge 1 ]] || usage
[[ "$1" != "-h" && "$1" != "--help" ]] || usage

publish_dir=$(cd "$1" && pwd -P) || { echo "run-rootless: no such directory: $1" >&2; exit 2; }
shift
app_dll=${APP_DLL:-Milestones.Worker.dll}
run_uid=${RUN_UID:-1654}
run_gid=${RUN_GID:-1654}
tmp_size=${TMP_SIZE:-64m}
start_timeout=${START_TIMEOUT:-15}
dotnet_bin=$(readlink -f "${DOTNET:-$(command -v dotnet)}") || { echo "run-rootless: dotnet not found" >&2; exit 2; }

[[ $(id -u) -eq 0 ]] || { echo "run-rootless: must run as root (it creates a mount namespace, then drops to $run_uid)" >&2; exit 2; }
[[ -f "$publish_dir/$app_dll" ]] || { echo "run-rootless: $publish_dir/$app_dll not found (set APP_DLL?)" >&2; exit 2; }
for tool in unshare setpriv nsenter findmnt; do
  command -v "$tool" >/dev/null || { echo "run-rootless: $tool (util-linux) is required" >&2; exit 2; }
done
# The image's files are root-owned and world-readable; the same must hold here or the app cannot load.
if ! setpriv --reuid="$run_uid" --regid="$run_gid" --clear-groups test -r "$publish_dir/$app_dll"; then
  echo "run-rootless: UID $run_uid cannot read $publish_dir/$app_dll (check the permissions of every parent directory)" >&2
  exit 2
fi

new_root=$(mktemp -d "${TMPDIR:-/tmp}/run-rootless.XXXXXX")
# shellcheck disable=SC2317 # invoked by the EXIT trap
cleanup() { rmdir "$new_root" 2>/dev/null || true; }
trap cleanup EXIT

# Runs as root inside the new mount namespace (unshare makes every mount private, so nothing leaks
# to the host), then replaces itself with the app: the pid of `unshare` becomes the app's pid.
# shellcheck disable=SC2016 # expanded by the inner bash
inner='
set -euo pipefail
new_root=$1 publish_dir=$2 app_dll=$3 run_uid=$4 run_gid=$5 tmp_size=$6 dotnet_bin=$7
shift 7
mount --rbind / "$new_root"
# Read-only: the root and every submount except the kernel filesystems (/proc, /sys, /dev), as a
# container runtime does for readOnlyRootFilesystem.
mount -o remount,bind,ro "$new_root"
findmnt -R -n -r -o TARGET "$new_root" | tail -n +2 | while read -r target; do
  target=$(printf "%b" "$target")
  case "${target#"$new_root"}" in
    /proc|/proc/*|/sys|/sys/*|/dev|/dev/*) continue ;;
  esac
  mount -o remount,bind,ro "$target" 2>/dev/null || echo "run-rootless: could not make $target read-only" >&2
done
# The only writable path, as the emptyDir/tmpfs on /tmp in Kubernetes and compose.
mount -t tmpfs -o "rw,nosuid,nodev,mode=1777,size=$tmp_size" tmpfs "$new_root/tmp"
# A publish directory under /tmp would now be hidden by the tmpfs: bind it back, read-only.
case "$publish_dir" in
  /tmp/*)
    mkdir -p "$new_root$publish_dir"
    mount --bind "$publish_dir" "$new_root$publish_dir"
    mount -o remount,bind,ro "$new_root$publish_dir"
    ;;
esac
exec chroot "$new_root" setpriv \
  --reuid="$run_uid" --regid="$run_gid" --clear-groups \
  --inh-caps=-all --bounding-set=-all --no-new-privs \
  -- env --chdir="$publish_dir" HOME=/tmp TMPDIR=/tmp "$dotnet_bin" "$publish_dir/$app_dll" "$@"
'

unshare --mount --propagation private -- \
  bash -c "$inner" run-rootless-inner \
  "$new_root" "$publish_dir" "$app_dll" "$run_uid" "$run_gid" "$tmp_size" "$dotnet_bin" "$@" &
pid=$!

forward() { kill -s "$1" "$pid" 2>/dev/null || true; }
# Both become SIGTERM, the container stop signal: a background job of a non-interactive shell starts
# with SIGINT ignored, so SIGINT itself would not reach the app.
trap 'forward TERM' TERM INT

# Wait until the exec chain (unshare -> bash -> chroot -> setpriv -> env -> dotnet) reaches dotnet.
deadline=$((SECONDS + start_timeout))
while [[ "$(cat "/proc/$pid/comm" 2>/dev/null || true)" != "dotnet" ]]; do
  if ! kill -0 "$pid" 2>/dev/null; then
    wait "$pid" && status=0 || status=$?
    echo "run-rootless: the app exited before it started (status $status)" >&2
    exit "$status"
  fi
  if ((SECONDS >= deadline)); then
    echo "run-rootless: dotnet did not start within ${start_timeout}s" >&2
    forward KILL
    exit 1
  fi
  sleep 0.1
done

echo "run-rootless: started pid $pid: $(tr '\0' ' ' <"/proc/$pid/cmdline")"
uid_line=$(grep '^Uid:' "/proc/$pid/status")
gid_line=$(grep '^Gid:' "/proc/$pid/status")
read -r _ _ effective_uid _ <<<"$uid_line"
echo "run-rootless: $uid_line"
echo "run-rootless: $gid_line"
echo "run-rootless: $(grep '^Groups:' "/proc/$pid/status")"
echo "run-rootless: $(grep '^CapEff:' "/proc/$pid/status")"
echo "run-rootless: $(grep '^NoNewPrivs:' "/proc/$pid/status")"
echo "run-rootless: effective uid of the app: $effective_uid"

# Probe the app's own view of the filesystem, with its own identity.
probe() {
  nsenter --target "$pid" --mount --root --wd=/ \
    --setuid "$run_uid" --setgid "$run_gid" -- "$@" 2>/dev/null
}
if probe sh -c 'echo x > /.run-rootless-probe'; then
  echo "run-rootless: FAIL: UID $run_uid could write to /" >&2
  probe rm -f /.run-rootless-probe || true
  forward KILL
  exit 1
fi
if nsenter --target "$pid" --mount --root --wd=/ -- sh -c 'echo x > /.run-rootless-probe' 2>/dev/null; then
  echo "run-rootless: FAIL: / is writable even for root inside the namespace (not read-only)" >&2
  forward KILL
  exit 1
fi
echo "run-rootless: write to / denied (read-only root filesystem)"
if probe sh -c 'echo x > /tmp/.run-rootless-probe && rm /tmp/.run-rootless-probe'; then
  echo "run-rootless: write to /tmp allowed (tmpfs)"
else
  echo "run-rootless: warning: /tmp is not writable for UID $run_uid" >&2
fi

wait "$pid" && status=0 || status=$?
# A wait interrupted by a forwarded signal returns early; wait again for the real exit status.
while kill -0 "$pid" 2>/dev/null; do
  wait "$pid" && status=0 || status=$?
done
echo "run-rootless: app exited with status $status"
exit "$status"
