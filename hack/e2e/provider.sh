#!/usr/bin/env bash
# Starts or stops the stack's provider-kubernetes, by the pid it records:
# up.sh starts it, and TestProviderRestartLosesNothing stops it for a while
# and starts it again.
#
#   hack/e2e/provider.sh start|stop
set -euo pipefail
source "$(dirname "$0")/lib.sh"

log="${e2e_logs}/provider-kubernetes.log"
bin=$(cat "${e2e_run}/provider-kubernetes.bin")

case "${1:-}" in
  start)
    # The provider reads the control plane's kubeconfig from KUBECONFIG
    # only. Its conversion webhook server will not start without a key pair
    # in TLS_SERVER_CERTS_DIR, although nothing calls it here. Its metrics and
    # health ports default to Crossplane's (8080, 8081), so they move.
    # Watches (--enable-watches, and spec.watch on an Object) make it
    # reconcile an Object as soon as its object on the target changes,
    # instead of every 30 s while the Object is not ready.
    echo "$(date -u +%FT%TZ) e2e: starting provider-kubernetes" >> "${log}"
    nsenter --net="/proc/$(e2e_netns_pid)/ns/net" -- env KUBECONFIG="${e2e_kubeconfig}" \
      TLS_SERVER_CERTS_DIR="${e2e_run}/provider-tls" "${bin}" --debug --enable-watches \
      --metrics-bind-address 127.0.0.1:28080 --health-probe-bind-addr 127.0.0.1:28081 \
      --webhook-port 29443 < /dev/null >> "${log}" 2>&1 &
    pid=$!
    echo "provider-kubernetes ${pid} $(e2e_started "${pid}")" >> "${e2e_pids}"
    for _ in $(seq 1 120); do
      inns bash -c 'exec 3<>/dev/tcp/127.0.0.1/28081' 2> /dev/null && exit 0
      kill -0 "${pid}" 2> /dev/null || { echo "provider-kubernetes exited; read ${log}" >&2; exit 1; }
      sleep 0.5
    done
    echo "provider-kubernetes' health probe on 127.0.0.1:28081 did not open in 60s; read ${log}" >&2
    exit 1
    ;;
  stop)
    while read -r name pid start; do
      [ "${name}" = provider-kubernetes ] && e2e_alive "${name}" "${pid}" "${start}" || continue
      kill -TERM "${pid}"
      for _ in $(seq 1 200); do
        e2e_alive "${name}" "${pid}" "${start}" || break
        sleep 0.1
      done
      e2e_alive "${name}" "${pid}" "${start}" && kill -KILL "${pid}"
      echo "$(date -u +%FT%TZ) e2e: stopped provider-kubernetes (pid ${pid})" >> "${log}"
    done < "${e2e_pids}"
    ;;
  *)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac
