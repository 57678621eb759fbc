#!/usr/bin/env bash
# Starts the e2e control plane in a private network namespace:
#
#   etcd, kube-apiserver, kube-controller-manager, kube-scheduler (Kubernetes)
#   Crossplane core (out of cluster, External package runtime, no webhooks)
#   a loopback OCI registry holding the Function package
#   the function itself, as a local process with mTLS
#
# then installs the project (CRDs, XRD, a Local-delivery copy of the
# Composition, admission policies) and creates fake Nodes for the real
# scheduler to place pods on.
#
# Everything listens on 127.0.0.1 inside a network namespace of its own, so
# nothing can be reached from, or reach, anything else; `hack/e2e/exec.sh CMD`
# runs a command in it (tests, kubectl). Stop it all with hack/e2e/down.sh.
# Logs: .cache/e2e/logs/<component>.log. A failing step names the log to read.
set -Eeuo pipefail
source "$(dirname "$0")/lib.sh"

fn_bin="${FUNCTION_BIN:-${e2e_cache}/bin/function-debug-session}"
xpkg="${XPKG:-${e2e_cache}/xpkg/function-debug-session.xpkg}"
package_ref="127.0.0.1:5000/k8s-breakglass/function-debug-session:v0.0.0-e2e"
fn_address="127.0.0.1:19443"

step_name="preflight"
step_log=""
started_at=$(date +%s)

# step NAME [LOG] announces a step and remembers which component's log tells
# why it failed.
step() {
  step_name=$1
  step_log=${2:-}
  echo "e2e up: [$(($(date +%s) - started_at))s] ${step_name}"
}

on_error() {
  local rc=$?
  echo "e2e up: FAILED at step '${step_name}' (exit ${rc})" >&2
  if [ -n "${step_log}" ]; then
    echo "e2e up: read ${e2e_logs}/${step_log}.log; its last lines:" >&2
    tail -n 30 "${e2e_logs}/${step_log}.log" >&2 || true
  fi
  echo "e2e up: every component's log is in ${e2e_logs}; stop the rest with hack/e2e/down.sh" >&2
  exit "${rc}"
}
trap on_error ERR

# start NAME CMD... starts CMD in the namespace, logging to logs/NAME.log, and
# records its pid with its start time for down.sh. nsenter is started
# directly, not through a shell function, so that $! is nsenter, which execs
# CMD in place: the recorded pid is the component itself.
start() {
  local name=$1 pid
  shift
  nsenter --net="/proc/${netns_pid}/ns/net" -- "$@" > "${e2e_logs}/${name}.log" 2>&1 &
  pid=$!
  echo "${name} ${pid} $(e2e_started "${pid}")" >> "${e2e_pids}"
  eval "${name//-/_}_pid=${pid}"
}

# wait_for WHAT SECONDS PID CMD... retries CMD until it succeeds; it fails
# early when the component (PID) has exited, since waiting longer is useless.
wait_for() {
  local what=$1 timeout=$2 pid=$3
  shift 3
  local deadline=$(($(date +%s) + timeout))
  until "$@" > /dev/null 2>&1; do
    if [ -n "${pid}" ] && ! kill -0 "${pid}" 2>/dev/null; then
      echo "e2e up: ${step_log:-the component} exited while waiting for ${what}" >&2
      return 1
    fi
    if [ "$(date +%s)" -ge "${deadline}" ]; then
      echo "e2e up: timed out after ${timeout}s waiting for ${what}" >&2
      return 1
    fi
    sleep 0.5
  done
}

k() { inns "${kubectl_bin}" --kubeconfig "${e2e_kubeconfig}" "$@"; }
port_open() { inns bash -c "exec 3<>/dev/tcp/127.0.0.1/$1"; }

step "preflight"
if [ -f "${e2e_pids}" ]; then
  while read -r name pid start; do
    if e2e_alive "${name}" "${pid}" "${start}"; then
      echo "e2e up: a stack is already running (${name}, pid ${pid}); stop it with hack/e2e/down.sh" >&2
      exit 1
    fi
  done < "${e2e_pids}"
fi
[ -x "${fn_bin}" ] || { echo "e2e up: ${fn_bin} is missing; run 'make build'" >&2; exit 1; }
rm -rf "${e2e_run}" "${e2e_logs}"
mkdir -p "${e2e_run}" "${e2e_logs}"
: > "${e2e_pids}"

step "build or find the control plane binaries"
e2e_bins

step "network namespace" netns
# unshare execs the holder in place, so $! is the holder itself.
unshare --net -- "${harness_bin}" hold > "${e2e_logs}/netns.log" 2>&1 &
netns_pid=$!
echo "netns ${netns_pid} $(e2e_started "${netns_pid}")" >> "${e2e_pids}"
echo "${netns_pid}" > "${e2e_run}/netns.pid"
wait_for "the network namespace" 10 "${netns_pid}" grep -q ready "${e2e_logs}/netns.log"

step "certificates"
"${harness_bin}" certs -dir "${e2e_run}/pki" -server https://127.0.0.1:6443
pki="${e2e_run}/pki"

step "etcd" etcd
# No fsync: the data is thrown away after the run and fsync dominates etcd's
# latency on shared disks.
start etcd "${etcd_dir}/etcd" \
  --name e2e --data-dir "${e2e_run}/etcd" \
  --listen-client-urls http://127.0.0.1:2379 --advertise-client-urls http://127.0.0.1:2379 \
  --listen-peer-urls http://127.0.0.1:2380 --initial-advertise-peer-urls http://127.0.0.1:2380 \
  --initial-cluster e2e=http://127.0.0.1:2380 \
  --unsafe-no-fsync --log-level warn
wait_for "etcd on 127.0.0.1:2379" 30 "${etcd_pid}" port_open 2379

step "kube-apiserver" kube-apiserver
# --endpoint-reconciler-type=none: 1.37 refuses a loopback advertise address
# for the kubernetes Service endpoints otherwise; nothing here needs them.
start kube-apiserver "${kubernetes_dir}/kube-apiserver" \
  --etcd-servers http://127.0.0.1:2379 \
  --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port 6443 \
  --endpoint-reconciler-type none \
  --tls-cert-file "${pki}/apiserver.crt" --tls-private-key-file "${pki}/apiserver.key" \
  --client-ca-file "${pki}/ca.crt" \
  --service-account-issuer https://kubernetes.default.svc \
  --service-account-key-file "${pki}/sa.pub" --service-account-signing-key-file "${pki}/sa.key" \
  --service-cluster-ip-range 10.96.0.0/12 \
  --authorization-mode RBAC \
  --allow-privileged \
  --profiling=false
wait_for "the API server to be ready" 120 "${kube_apiserver_pid}" k get --raw /readyz

step "kube-controller-manager" kube-controller-manager
# Only the controllers the tests rely on: garbage collection (Crossplane
# deletes composed resources by dropping them; dependents go through the GC),
# namespaces, service accounts and their tokens, the workload controllers, and
# the one that type-checks ValidatingAdmissionPolicies and reports it in their
# status, as on any real cluster. Node lifecycle stays off so that nodes
# without a kubelet stay schedulable.
start kube-controller-manager "${kubernetes_dir}/kube-controller-manager" \
  --kubeconfig "${e2e_kubeconfig}" \
  --controllers garbage-collector-controller,namespace-controller,serviceaccount-controller,serviceaccount-token-controller,daemonset-controller,deployment-controller,replicaset-controller,validatingadmissionpolicy-status-controller \
  --service-account-private-key-file "${pki}/sa.key" --root-ca-file "${pki}/ca.crt" \
  --leader-elect=false --bind-address 127.0.0.1 --secure-port 0
wait_for "the default ServiceAccount (serviceaccount controller)" 60 "${kube_controller_manager_pid}" \
  k -n default get serviceaccount default

step "kube-scheduler" kube-scheduler
start kube-scheduler "${kubernetes_dir}/kube-scheduler" \
  --kubeconfig "${e2e_kubeconfig}" --leader-elect=false --secure-port 0
sleep 1
kill -0 "${kube_scheduler_pid}"

step "pod reaper (stands in for the kubelets)" pod-reaper
start pod-reaper env KUBECTL="${kubectl_bin}" KUBECONFIG="${e2e_kubeconfig}" "${e2e_here}/pod-reaper.sh"

step "crossplane core init" crossplane-init
crossplane_src=$(cd "${e2e_here}/crossplane" && GOTOOLCHAIN=local go list -m -f '{{.Dir}}' github.com/crossplane/crossplane/v2)
k create namespace crossplane-system > /dev/null
# The first init can race the establishment of the CRDs it has just created;
# a rerun finds them established and carries on.
for attempt in 1 2 3 4 5; do
  if inns env KUBECONFIG="${e2e_kubeconfig}" CRDS_PATH="${crossplane_src}/cluster/crds" \
    TLS_CA_SECRET_NAME=crossplane-root-ca TLS_CLIENT_SECRET_NAME=crossplane-tls-client \
    "${crossplane_dir}/crossplane" core init --enable-webhooks=false \
    >> "${e2e_logs}/crossplane-init.log" 2>&1; then
    break
  fi
  [ "${attempt}" = 5 ] && false
  echo "e2e up: crossplane core init attempt ${attempt} failed; retrying" >&2
  sleep 2
done

step "crossplane core start" crossplane
tls_client="${e2e_run}/crossplane-tls-client"
mkdir -p "${tls_client}" "${e2e_run}/xpkg-cache"
for key in ca.crt tls.crt tls.key; do
  k -n crossplane-system get secret crossplane-tls-client -o "jsonpath={.data.${key//./\\.}}" | base64 -d > "${tls_client}/${key}"
done
start crossplane env KUBECONFIG="${e2e_kubeconfig}" "${crossplane_dir}/crossplane" core start \
  --package-runtime=External --enable-webhooks=false \
  --tls-client-certs-dir "${tls_client}" --cache-dir "${e2e_run}/xpkg-cache" \
  --poll-interval 10s --debug
wait_for "Crossplane's health probe on 127.0.0.1:8081" 60 "${crossplane_pid}" port_open 8081

step "loopback OCI registry" registry
start registry "${harness_bin}" registry -addr 127.0.0.1:5000
wait_for "the registry on 127.0.0.1:5000" 20 "${registry_pid}" port_open 5000

step "push the Function package" registry
if [ -f "${xpkg}" ]; then
  echo "e2e up: pushing ${xpkg}"
  inns "${harness_bin}" push -ref "${package_ref}" -xpkg "${xpkg}" > "${e2e_run}/package.ref"
else
  echo "e2e up: ${xpkg} not found ('make xpkg' builds it); pushing a minimal package built from package/"
  inns "${harness_bin}" push -ref "${package_ref}" -package-dir "${e2e_root}/package" > "${e2e_run}/package.ref"
fi

step "function (mTLS, signed by Crossplane's CA)" function
ca="${e2e_run}/crossplane-ca"
mkdir -p "${ca}"
k -n crossplane-system get secret crossplane-root-ca -o 'jsonpath={.data.tls\.crt}' | base64 -d > "${ca}/tls.crt"
k -n crossplane-system get secret crossplane-root-ca -o 'jsonpath={.data.tls\.key}' | base64 -d > "${ca}/tls.key"
"${harness_bin}" sign -ca-cert "${ca}/tls.crt" -ca-key "${ca}/tls.key" -dir "${e2e_run}/function-tls" \
  -cn function-debug-session -ip 127.0.0.1 -dns localhost
# The Deployment runtime would keep the function's server certificate in this
# Secret; Crossplane's package establisher reads it, so it must exist.
k -n crossplane-system create secret generic function-debug-session-tls-server \
  --from-file "${e2e_run}/function-tls/tls.crt" --from-file "${e2e_run}/function-tls/tls.key" \
  --from-file "${e2e_run}/function-tls/ca.crt" > /dev/null
start function "${fn_bin}" serve --tls-certs-dir "${e2e_run}/function-tls" \
  --address "${fn_address}" --metrics-address 127.0.0.1:18080 --debug
wait_for "the function on ${fn_address}" 20 "${function_pid}" port_open "${fn_address##*:}"

step "install the Function" crossplane
k apply -f - > /dev/null <<YAML
apiVersion: pkg.crossplane.io/v1
kind: Function
metadata:
  name: function-debug-session
spec:
  package: ${package_ref}
  packagePullPolicy: IfNotPresent
YAML
revisions() { k get functionrevisions -l pkg.crossplane.io/package=function-debug-session -o name; }
has_revision() { [ -n "$(revisions)" ]; }
wait_for "a FunctionRevision (Crossplane pulls the package)" 60 "${crossplane_pid}" has_revision
# With the External runtime nothing runs the function or tells Crossplane
# where it is: write what the Deployment runtime would have written.
revision=$(revisions | head -n 1)
now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
k patch "${revision}" --subresource=status --type=merge -p "{\"status\":{
  \"endpoint\":\"${fn_address}\",
  \"tlsServerSecretName\":\"function-debug-session-tls-server\",
  \"conditions\":[{\"type\":\"RuntimeHealthy\",\"status\":\"True\",\"reason\":\"HealthyPackageRevision\",\"lastTransitionTime\":\"${now}\"}]}}" > /dev/null
wait_for "the Function to become Installed and Healthy" 90 "${crossplane_pid}" \
  k wait --for=condition=Healthy --timeout=2s "function/function-debug-session"

step "install the project (CRDs, XRD, Composition with Local delivery, admission policies)" crossplane
install="${e2e_run}/install"
mkdir -p "${install}"
for f in "${e2e_root}"/example/install/*.yaml; do
  case "$(basename "${f}")" in
    function.yaml) ;; # installed above, from the loopback registry
    composition.yaml)
      # Local delivery composes the debug workload into this control plane
      # itself, where the real scheduler and the fake nodes are.
      sed 's/^\(\s*mode:\s*\)ProviderKubernetes\s*$/\1Local/' "${f}" > "${install}/composition.yaml"
      grep -q 'mode: Local' "${install}/composition.yaml" || {
        echo "e2e up: cannot switch ${f} to delivery.mode Local" >&2
        false
      }
      ;;
    *) cp "${f}" "${install}/" ;;
  esac
done
# A cluster-scoped twin of the DebugSession XRD, under a group of its own:
# Crossplane composes no cluster-scoped resources (such as the denied-nodes
# ValidatingAdmissionPolicy) and no resources outside the XR's namespace for a
# namespaced XR, so Local delivery of those needs a cluster-scoped XR, as the
# legacy setups the function supports have. Only the header before versions:
# changes; the schema is the project's own.
sed -e '1,/^  versions:/{
    s/^  name: debugsessions\.breakglass\.telekom\.de$/  name: clusterdebugsessions.e2e.breakglass.telekom.de/
    s/^    name: debug-session$/    name: e2e-cluster-debug-session/
    s/^  group: breakglass\.telekom\.de$/  group: e2e.breakglass.telekom.de/
    s/^    kind: DebugSession$/    kind: ClusterDebugSession/
    s/^    listKind: DebugSessionList$/    listKind: ClusterDebugSessionList/
    s/^    plural: debugsessions$/    plural: clusterdebugsessions/
    s/^    singular: debugsession$/    singular: clusterdebugsession/
    s/^  scope: Namespaced$/  scope: Cluster/
  }' "${install}/xrd.yaml" > "${install}/xrd-e2e-cluster.yaml"
sed -e 's/^  name: debug-session$/  name: e2e-cluster-debug-session/' \
  -e 's/^    apiVersion: breakglass\.telekom\.de\/v1alpha1$/    apiVersion: e2e.breakglass.telekom.de\/v1alpha1/' \
  -e 's/^    kind: DebugSession$/    kind: ClusterDebugSession/' \
  "${install}/composition.yaml" > "${install}/composition-e2e-cluster.yaml"
for want in 'name: clusterdebugsessions.e2e.breakglass.telekom.de' 'scope: Cluster' 'kind: ClusterDebugSession' \
  'group: e2e.breakglass.telekom.de' 'name: e2e-cluster-debug-session'; do
  grep -q "${want}" "${install}/xrd-e2e-cluster.yaml" || {
    echo "e2e up: cannot derive the cluster-scoped XRD from ${e2e_root}/example/install/xrd.yaml (no '${want}')" >&2
    false
  }
done
for want in 'apiVersion: e2e.breakglass.telekom.de/v1alpha1' 'kind: ClusterDebugSession' 'name: e2e-cluster-debug-session'; do
  grep -q "${want}" "${install}/composition-e2e-cluster.yaml" || {
    echo "e2e up: cannot derive the cluster-scoped Composition from ${e2e_root}/example/install/composition.yaml (no '${want}')" >&2
    false
  }
done
# CRDs and the XRD first: everything else may refer to their kinds. The
# CRDs are applied server-side because the largest exceeds the annotation
# size limit of a client-side apply.
for f in "${install}"/*.yaml; do
  grep -qE '^kind: (CustomResourceDefinition|CompositeResourceDefinition)$' "${f}" &&
    k apply --server-side -f "${f}" > /dev/null
done
k wait --for=condition=Established --timeout=60s crd --all > /dev/null
k wait --for=condition=Established --timeout=60s xrd --all > /dev/null
k apply --server-side -f "${install}" > /dev/null
for crd in debugsessions.breakglass.telekom.de clusterdebugsessions.e2e.breakglass.telekom.de; do
  wait_for "the CRD ${crd} (Crossplane creates it from the XRD)" 60 "${crossplane_pid}" \
    k wait --for=condition=Established --timeout=2s "crd/${crd}"
done

step "fake nodes" kube-scheduler
k apply -f "${e2e_here}/nodes.yaml" > /dev/null
for node in $(k get nodes -o 'jsonpath={.items[*].metadata.name}'); do
  # Admission taints every new node not-ready until its kubelet reports;
  # these nodes have no kubelet, so drop the taint and report for them.
  k taint nodes "${node}" node.kubernetes.io/not-ready:NoSchedule- > /dev/null 2>&1 || true
  k patch node "${node}" --subresource=status --type=merge -p "{\"status\":{
    \"capacity\":{\"pods\":\"110\",\"cpu\":\"8\",\"memory\":\"32Gi\"},
    \"allocatable\":{\"pods\":\"110\",\"cpu\":\"8\",\"memory\":\"32Gi\"},
    \"conditions\":[{\"type\":\"Ready\",\"status\":\"True\",\"reason\":\"E2EFakeNode\",\"message\":\"no kubelet; status written by the e2e harness\",\"lastHeartbeatTime\":\"${now}\",\"lastTransitionTime\":\"${now}\"}]}}" > /dev/null
done

cat > "${e2e_run}/env" <<ENV
KUBECONFIG=${e2e_kubeconfig}
E2E_KUBECTL=${kubectl_bin}
E2E_LOGS=${e2e_logs}
E2E_PACKAGE_REF=$(cat "${e2e_run}/package.ref")
ENV

trap - ERR
echo "e2e up: ready in $(($(date +%s) - started_at))s; run commands in the stack with hack/e2e/exec.sh, stop it with hack/e2e/down.sh"
