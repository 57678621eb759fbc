#!/usr/bin/env bash
# Stops what hack/e2e/up.sh started, by process id and in reverse order,
# then removes the stack's state. Logs stay in .cache/e2e/logs.
set -uo pipefail
source "$(dirname "$0")/lib.sh"

if [ ! -f "${e2e_pids}" ]; then
  echo "e2e down: nothing to stop (no ${e2e_pids})"
  exit 0
fi

# Stop in reverse start order so that nothing reconnects to a component that
# is already gone, and the namespace holder (first line) goes last.
mapfile -t lines < <(tac "${e2e_pids}")
for line in "${lines[@]}"; do
  read -r name pid start <<< "${line}"
  e2e_alive "${name}" "${pid}" "${start}" || continue
  kill -TERM "${pid}" 2>/dev/null
  for _ in $(seq 1 50); do
    e2e_alive "${name}" "${pid}" "${start}" || break
    sleep 0.1
  done
  if e2e_alive "${name}" "${pid}" "${start}"; then
    echo "e2e down: ${name} (pid ${pid}) did not stop in 5s; killing it" >&2
    kill -KILL "${pid}" 2>/dev/null
  fi
  echo "e2e down: stopped ${name} (pid ${pid})"
done

rm -rf "${e2e_run}"
echo "e2e down: done; logs are in ${e2e_logs}"
