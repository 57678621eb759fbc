#!/usr/bin/env bash
# `make e2e`: build (cached), start the stack, run the e2e tests in it, stop
# the stack. Every step says what it is doing; a failure says which step and
# which component's log to read (.cache/e2e/logs/<component>.log).
#
#   E2E_KEEP=1      leave the stack running afterwards (stop it with hack/e2e/down.sh)
#   E2E_RUN=Regex   run only the matching tests (go test -run)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "${e2e_root}"

t0=$(date +%s)
elapsed() { echo "$(($(date +%s) - t0))s"; }

echo "e2e: [$(elapsed)] building the control plane (cached after the first run)"
"${e2e_here}/build.sh" > /dev/null

# The tests are compiled outside the network namespace, where the module
# proxy is reachable; inside it only loopback exists.
echo "e2e: [$(elapsed)] compiling the e2e tests"
mkdir -p "${e2e_cache}/e2e"
go test -c -tags e2e -o "${e2e_cache}/e2e/e2e.test" ./e2e

if grep -q '^xpkg:' Makefile; then
  echo "e2e: [$(elapsed)] building the Function package (make xpkg)"
  make --no-print-directory xpkg
fi

stop() {
  local rc=$?
  if [ "${E2E_KEEP:-}" = 1 ]; then
    echo "e2e: leaving the stack running (E2E_KEEP=1); stop it with hack/e2e/down.sh"
  else
    "${e2e_here}/down.sh" > /dev/null || true
  fi
  if [ "${rc}" != 0 ]; then
    echo "e2e: FAILED after $(elapsed); component logs are in ${e2e_logs}:" >&2
    ls "${e2e_logs}" >&2 2>/dev/null || true
  fi
  exit "${rc}"
}
trap stop EXIT

echo "e2e: [$(elapsed)] starting the stack"
"${e2e_here}/up.sh"

echo "e2e: [$(elapsed)] running the e2e tests"
# The tests spend their time waiting for controllers, not computing, so more
# of them run at once than Go's default of one per core (GOMAXPROCS).
args=(-test.v -test.timeout 30m -test.parallel "${E2E_PARALLEL:-6}")
[ -n "${E2E_RUN:-}" ] && args+=(-test.run "${E2E_RUN}")
if ! (cd e2e && "${e2e_here}/exec.sh" "${e2e_cache}/e2e/e2e.test" "${args[@]}"); then
  echo "e2e: the tests failed; for what the control plane did, read crossplane.log (composition)," >&2
  echo "e2e: function.log (the function's decisions), kube-scheduler.log and kube-controller-manager.log in ${e2e_logs}" >&2
  echo "e2e: for the target clusters, provider-kubernetes.log (delivery) and target-{a,b}-*.log" >&2
  exit 1
fi
echo "e2e: [$(elapsed)] passed"
