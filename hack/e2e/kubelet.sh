#!/usr/bin/env bash
# Stands in for the kubelets of a target cluster's fake nodes, so that
# readiness flows back as it does on a real cluster: a pod the scheduler has
# bound to a node is reported Running and Ready (the DaemonSet and ReplicaSet
# controllers then count it available, provider-kubernetes' readiness query
# sees the workload available, and the session goes Ready), and a pod being
# deleted is removed for good, as a kubelet does once its containers stop.
#
# It watches pods rather than polling, so a pod is reported Ready within a
# moment of being bound: the tests measure how long readiness takes to reach
# the session, and a slow stand-in would hide that. Started by up.sh inside
# the stack's network namespace with KUBECTL and KUBECONFIG set.
set -uo pipefail

# Namespace, name, node, deletion timestamp and phase of every pod, once at
# the start of the watch and again on every change. '|' separates the fields
# because empty ones must keep their place.
fields='{.metadata.namespace}|{.metadata.name}|{.spec.nodeName}|{.metadata.deletionTimestamp}|{.status.phase}{"\n"}'

# down.sh stops this script by its pid; the watch it runs must stop with it,
# or the target's API server waits for the open watch before shutting down.
watcher=""
trap '[ -n "${watcher}" ] && kill "${watcher}" 2> /dev/null; exit 0' TERM INT

while true; do
  exec 3< <("${KUBECTL}" get pods --all-namespaces --watch -o "jsonpath=${fields}")
  watcher=$!
  while IFS='|' read -r -u 3 ns name node deleting phase; do
    [ -n "${name}" ] || continue
    if [ -n "${deleting}" ]; then
      "${KUBECTL}" -n "${ns}" delete pod "${name}" --grace-period=0 --force --wait=false > /dev/null 2>&1 &&
        echo "$(date -u +%FT%TZ) removed pod ${ns}/${name}"
      continue
    fi
    [ -n "${node}" ] && [ "${phase}" != Running ] || continue
    now=$(date -u +%FT%TZ)
    ready="\"status\":\"True\",\"lastTransitionTime\":\"${now}\""
    "${KUBECTL}" -n "${ns}" patch pod "${name}" --subresource=status --type=merge -p "{\"status\":{
      \"phase\":\"Running\",\"startTime\":\"${now}\",
      \"conditions\":[{\"type\":\"PodScheduled\",${ready}},{\"type\":\"Initialized\",${ready}},
        {\"type\":\"ContainersReady\",${ready}},{\"type\":\"Ready\",${ready}}]}}" > /dev/null &&
      echo "${now} pod ${ns}/${name} on ${node} is Running and Ready"
  done
  exec 3<&-
  # The API server ends long watches after a while; start another.
  sleep 1
done
