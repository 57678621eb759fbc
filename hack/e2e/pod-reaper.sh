#!/usr/bin/env bash
# Stands in for the kubelets the fake nodes do not have, in the one thing the
# tests depend on: acknowledging that a pod is gone. Without it a pod bound to
# a fake node stays Terminating forever, and so does everything that waits
# for it: Crossplane deletes composed workloads with foreground propagation,
# so a Deployment of an ended session would never disappear, and neither
# would a namespace holding such pods.
#
# Every two seconds, pods that are being deleted are removed for good, as a
# kubelet does once their containers have stopped. Started by up.sh inside the
# stack's network namespace, with KUBECTL and KUBECONFIG set.
set -uo pipefail

while true; do
  "${KUBECTL}" get pods --all-namespaces \
    -o 'jsonpath={range .items[?(@.metadata.deletionTimestamp)]}{.metadata.namespace}{" "}{.metadata.name}{"\n"}{end}' |
    while read -r ns name; do
      [ -n "${name}" ] || continue
      "${KUBECTL}" -n "${ns}" delete pod "${name}" --grace-period=0 --force --wait=false > /dev/null 2>&1 &&
        echo "$(date -u +%FT%TZ) removed pod ${ns}/${name}"
    done
  sleep 2
done
