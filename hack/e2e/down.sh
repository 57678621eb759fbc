#!/usr/bin/env bash
# Stops what hack/e2e/up.sh started, by process id: the clients of the API
# servers, then the API servers, then etcd, then whatever is left in the
# stack's network namespace, then its holder. Removes the stack's state; logs
# stay in .cache/e2e/logs.
set -uo pipefail
source "$(dirname "$0")/lib.sh"

if [ ! -f "${e2e_pids}" ]; then
  echo "e2e down: nothing to stop (no ${e2e_pids})"
  exit 0
fi

# stop NAME PID START stops one process: TERM, then KILL if it is still
# there after 20 s (kube-apiserver and etcd shut down gracefully, which can
# take several seconds). A pid whose start time differs is another process
# that reuses the number, and is left alone.
stop() {
  local name=$1 pid=$2 start=$3
  e2e_alive "${name}" "${pid}" "${start}" || return 0
  kill -TERM "${pid}" 2>/dev/null
  for _ in $(seq 1 200); do
    e2e_alive "${name}" "${pid}" "${start}" || break
    sleep 0.1
  done
  if e2e_alive "${name}" "${pid}" "${start}"; then
    echo "e2e down: ${name} (pid ${pid}) did not stop in 20s; killing it" >&2
    kill -KILL "${pid}" 2>/dev/null
  fi
  echo "e2e down: stopped ${name} (pid ${pid})"
}

# sweep NETNS stops every process still in the stack's private network
# namespace: only the harness puts processes there, so whatever is left (a
# child a component started, a test command) is the harness's too.
sweep() {
  local netns=$1 dir pid
  [ -n "${netns}" ] || return 0
  for dir in /proc/[0-9]*; do
    pid=${dir#/proc/}
    [ "${pid}" = "${holder_pid}" ] && continue
    [ "$(readlink "${dir}/ns/net" 2>/dev/null)" = "${netns}" ] || continue
    stop "leftover $(tr '\0' ' ' < "${dir}/cmdline" 2>/dev/null | cut -c1-60)" "${pid}" "$(e2e_started "${pid}")"
  done
}

# tier NAME says when a component stops: its clients first, then the API
# servers, then their etcds, and the namespace holder last. Within a tier the
# components stop together: with three clusters, one after the other takes
# the better part of a minute.
tier() {
  case $1 in
    netns) echo 3 ;;
    etcd | *-etcd) echo 2 ;;
    kube-apiserver | *-kube-apiserver) echo 1 ;;
    *) echo 0 ;;
  esac
}

holder_pid=""
holder_start=""
netns=""
mapfile -t lines < <(tac "${e2e_pids}")
for t in 0 1 2; do
  for line in "${lines[@]}"; do
    read -r name pid start <<< "${line}"
    [ "$(tier "${name}")" = "${t}" ] && stop "${name}" "${pid}" "${start}" &
  done
  wait
done
for line in "${lines[@]}"; do
  read -r name pid start <<< "${line}"
  [ "${name}" = netns ] || continue
  # The holder is stopped last, after anything else in its namespace.
  holder_pid=${pid}
  holder_start=${start}
  if e2e_alive "${name}" "${pid}" "${start}"; then
    netns=$(readlink "/proc/${pid}/ns/net" 2>/dev/null)
  fi
done
sweep "${netns}"
[ -n "${holder_pid}" ] && stop netns "${holder_pid}" "${holder_start}"

rm -rf "${e2e_run}"
echo "e2e down: done; logs are in ${e2e_logs}"
