#!/usr/bin/env bash
# Starts the e2e control plane and two target clusters in a private network
# namespace:
#
#   etcd, kube-apiserver, kube-controller-manager, kube-scheduler (Kubernetes)
#   Crossplane core (out of cluster, External package runtime, no webhooks)
#   a loopback OCI registry holding the Function package
#   the function itself, as a local process with mTLS
#   two target clusters, e2e-target-a and e2e-target-b: their own etcd,
#     kube-apiserver, controller manager and scheduler, each with its own PKI,
#     and a stand-in kubelet (hack/e2e/kubelet.sh) for their fake nodes
#   provider-kubernetes, out of cluster, delivering to the targets
#
# then installs the project (CRDs, XRD, the shipped Composition and copies
# of it, admission policies), creates fake Nodes for the real schedulers to
# place pods on, and the Secrets and provider configs that reach the targets.
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

# pid_of NAME prints the pid that start recorded for NAME.
pid_of() {
  local v="${1//-/_}_pid"
  echo "${!v}"
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

# kc KUBECONFIG ARGS... runs the stack's kubectl against one cluster; k
# against the control plane.
kc() {
  local c=$1
  shift
  inns "${kubectl_bin}" --kubeconfig "${c}" "$@"
}
k() { kc "${e2e_kubeconfig}" "$@"; }
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

# kube_apiserver PREFIX PKI ETCD_PORT API_PORT starts the etcd and the
# kube-apiserver of one cluster: the control plane (PREFIX empty) or a target
# cluster (PREFIX target-a- and so on). Each cluster has its own PKI, so a
# kubeconfig of one cluster fails at TLS against another.
kube_apiserver() {
  local p=$1 pki=$2 etcd_port=$3 api_port=$4
  step "${p}etcd" "${p}etcd"
  # No fsync: the data is thrown away after the run and fsync dominates
  # etcd's latency on shared disks.
  start "${p}etcd" "${etcd_dir}/etcd" \
    --name e2e --data-dir "${e2e_run}/${p}etcd" \
    --listen-client-urls "http://127.0.0.1:${etcd_port}" --advertise-client-urls "http://127.0.0.1:${etcd_port}" \
    --listen-peer-urls "http://127.0.0.1:$((etcd_port + 1))" --initial-advertise-peer-urls "http://127.0.0.1:$((etcd_port + 1))" \
    --initial-cluster "e2e=http://127.0.0.1:$((etcd_port + 1))" \
    --unsafe-no-fsync --log-level warn
  wait_for "etcd on 127.0.0.1:${etcd_port}" 30 "$(pid_of "${p}etcd")" port_open "${etcd_port}"

  step "${p}kube-apiserver" "${p}kube-apiserver"
  # --endpoint-reconciler-type=none: 1.37 refuses a loopback advertise
  # address for the kubernetes Service endpoints otherwise; nothing here
  # needs them.
  start "${p}kube-apiserver" "${kubernetes_dir}/kube-apiserver" \
    --etcd-servers "http://127.0.0.1:${etcd_port}" \
    --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "${api_port}" \
    --endpoint-reconciler-type none \
    --tls-cert-file "${pki}/apiserver.crt" --tls-private-key-file "${pki}/apiserver.key" \
    --client-ca-file "${pki}/ca.crt" \
    --service-account-issuer https://kubernetes.default.svc \
    --service-account-key-file "${pki}/sa.pub" --service-account-signing-key-file "${pki}/sa.key" \
    --service-cluster-ip-range 10.96.0.0/12 \
    --authorization-mode RBAC \
    --allow-privileged \
    --profiling=false
}

# wait_apiserver PREFIX PKI waits until that cluster's API server is ready.
wait_apiserver() {
  step "${1}kube-apiserver ready" "${1}kube-apiserver"
  wait_for "the ${1}API server to be ready" 120 "$(pid_of "${1}kube-apiserver")" kc "${2}/admin.kubeconfig" get --raw /readyz
}

# kube_controllers PREFIX PKI starts the controller manager and the
# scheduler of one cluster.
kube_controllers() {
  local p=$1 pki=$2
  step "${p}kube-controller-manager" "${p}kube-controller-manager"
  # Only the controllers the tests rely on: garbage collection (Crossplane
  # deletes composed resources by dropping them; dependents go through the
  # GC), namespaces, service accounts and their tokens, the workload
  # controllers (the Job controller also removes the tracking finalizer
  # from a deleted Job's pods, without which they never go), and the one
  # that type-checks ValidatingAdmissionPolicies and reports it in their
  # status, as on any real cluster. Node lifecycle stays off so that nodes
  # without a kubelet stay schedulable.
  start "${p}kube-controller-manager" "${kubernetes_dir}/kube-controller-manager" \
    --kubeconfig "${pki}/admin.kubeconfig" \
    --controllers garbage-collector-controller,namespace-controller,serviceaccount-controller,serviceaccount-token-controller,daemonset-controller,deployment-controller,replicaset-controller,job-controller,validatingadmissionpolicy-status-controller \
    --service-account-private-key-file "${pki}/sa.key" --root-ca-file "${pki}/ca.crt" \
    --leader-elect=false --bind-address 127.0.0.1 --secure-port 0
  step "${p}kube-scheduler" "${p}kube-scheduler"
  start "${p}kube-scheduler" "${kubernetes_dir}/kube-scheduler" \
    --kubeconfig "${pki}/admin.kubeconfig" --leader-elect=false --secure-port 0
}

# wait_controllers PREFIX PKI waits until that cluster's controllers work.
wait_controllers() {
  step "${1}kube-controller-manager ready" "${1}kube-controller-manager"
  wait_for "the default ServiceAccount (${1}serviceaccount controller)" 60 "$(pid_of "${1}kube-controller-manager")" \
    kc "${2}/admin.kubeconfig" -n default get serviceaccount default
  kill -0 "$(pid_of "${1}kube-scheduler")"
}

step "certificates"
"${harness_bin}" certs -dir "${e2e_run}/pki" -server https://127.0.0.1:6443
pki="${e2e_run}/pki"

# The target clusters that provider-kubernetes delivers sessions to: their
# own etcd, API server, controllers and scheduler, and their own PKI. Their
# API servers boot alongside the control plane's.
targets=(a b)
target_api_port() { case $1 in a) echo 16443 ;; b) echo 26443 ;; esac; }
target_etcd_port() { case $1 in a) echo 12379 ;; b) echo 22379 ;; esac; }
target_pki() { echo "${e2e_run}/target-$1/pki"; }
for t in "${targets[@]}"; do
  "${harness_bin}" certs -dir "$(target_pki "${t}")" -server "https://127.0.0.1:$(target_api_port "${t}")"
done

kube_apiserver "" "${pki}" 2379 6443
for t in "${targets[@]}"; do
  kube_apiserver "target-${t}-" "$(target_pki "${t}")" "$(target_etcd_port "${t}")" "$(target_api_port "${t}")"
done
wait_apiserver "" "${pki}"
kube_controllers "" "${pki}"
wait_controllers "" "${pki}"

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
# Crossplane's per-XR watch circuit breaker (100 events, refilled at 1/s, by
# default) opens for a session that is merely starting: provider-kubernetes
# updates each Object several times and Crossplane the XR about 20 times.
# Open, it drops the session's watch events for 5 minutes but one every 30 s,
# and readiness lags by that much. The README recommends this burst; the e2e
# tests fail the run when a session still opens it. E2E_XR_CIRCUIT_BURST and
# E2E_XR_CIRCUIT_REFILL reproduce other settings.
start crossplane env KUBECONFIG="${e2e_kubeconfig}" "${crossplane_dir}/crossplane" core start \
  --package-runtime=External --enable-webhooks=false \
  --tls-client-certs-dir "${tls_client}" --cache-dir "${e2e_run}/xpkg-cache" \
  --poll-interval 10s --debug \
  --circuit-breaker-burst "${E2E_XR_CIRCUIT_BURST:-500}" \
  --circuit-breaker-refill-rate "${E2E_XR_CIRCUIT_REFILL:-1}"
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

step "install the project (CRDs, XRD, the shipped Composition and a Local-delivery copy, admission policies)" crossplane
install="${e2e_run}/install"
mkdir -p "${install}"
for f in "${e2e_root}"/example/install/*.yaml; do
  case "$(basename "${f}")" in
    function.yaml) ;; # installed above, from the loopback registry
    # Deployments of the same binary's other commands, whose pods would sit
    # Pending on the fake nodes: e2e/api_test.go and e2e/bindings_test.go
    # run those commands themselves, against this stack.
    api.yaml | status-controller.yaml) ;;
    composition.yaml)
      # The shipped Composition, unmodified, stays the XRD's default: the
      # hub-and-spoke tests' users create sessions without choosing one, and
      # provider-kubernetes delivers them to the target clusters. A copy
      # switched to Local delivery composes the debug workload into this
      # control plane itself; the Local tests name it in their sessions.
      # Crossplane cannot compose the cluster-scoped pod access policy for a
      # namespaced session, so the copy leaves access to the control
      # plane's RBAC (podAccess: Off); the target clusters enforce it.
      cp "${f}" "${install}/composition.yaml"
      sed -e 's/^\(\s*mode:\s*\)ProviderKubernetes\s*$/\1Local/' \
        -e 's/^  name: debug-session$/  name: e2e-local-debug-session/' \
        -e 's/^\(\s*\)defaultTargetNamespace: \(.*\)$/\1defaultTargetNamespace: \2\n\1podAccess: "Off"/' "${f}" > "${install}/composition-e2e-local.yaml"
      for want in 'mode: Local' 'name: e2e-local-debug-session' 'podAccess: "Off"'; do
        grep -q "${want}" "${install}/composition-e2e-local.yaml" || {
          echo "e2e up: cannot derive a Local-delivery copy of ${f} (no '${want}')" >&2
          false
        }
      done
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
for want in 'name: clusterdebugsessions.e2e.breakglass.telekom.de' 'scope: Cluster' 'kind: ClusterDebugSession' \
  'group: e2e.breakglass.telekom.de' 'name: e2e-cluster-debug-session'; do
  grep -q "${want}" "${install}/xrd-e2e-cluster.yaml" || {
    echo "e2e up: cannot derive the cluster-scoped XRD from ${e2e_root}/example/install/xrd.yaml (no '${want}')" >&2
    false
  }
done
# Its default Composition is the Local copy; a second one, the shipped
# Composition under another name and type, delivers legacy cluster-scoped
# sessions through cluster-scoped Objects to the target clusters.
retype() {
  sed -e "s/^  name: ${1}\$/  name: ${2}/" \
    -e 's/^    apiVersion: breakglass\.telekom\.de\/v1alpha1$/    apiVersion: e2e.breakglass.telekom.de\/v1alpha1/' \
    -e 's/^    kind: DebugSession$/    kind: ClusterDebugSession/' "${3}" > "${4}"
  for want in 'apiVersion: e2e.breakglass.telekom.de/v1alpha1' 'kind: ClusterDebugSession' "name: ${2}"; do
    grep -q "${want}" "${4}" || {
      echo "e2e up: cannot derive the cluster-scoped Composition ${2} from ${3} (no '${want}')" >&2
      false
    }
  done
}
retype e2e-local-debug-session e2e-cluster-debug-session "${install}/composition-e2e-local.yaml" "${install}/composition-e2e-cluster.yaml"
# The shipped Composition with delivery.watch, under another name, for the
# test that measures how fast readiness arrives with watches.
sed -e 's/^  name: debug-session$/  name: e2e-watch-debug-session/' \
  -e 's/^\(\s*\)mode: ProviderKubernetes\s*$/&\n\1watch: true/' "${install}/composition.yaml" > "${install}/composition-e2e-watch.yaml"
for want in 'name: e2e-watch-debug-session' 'watch: true'; do
  grep -q "${want}" "${install}/composition-e2e-watch.yaml" || {
    echo "e2e up: cannot derive a watching copy of the shipped Composition (no '${want}')" >&2
    false
  }
done
retype debug-session e2e-cluster-debug-session-remote "${install}/composition.yaml" "${install}/composition-e2e-cluster-remote.yaml"
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

# fake_nodes KUBECONFIG creates the nodes of nodes.yaml in one cluster.
fake_nodes() {
  local c=$1 node
  kc "${c}" apply -f "${e2e_here}/nodes.yaml" > /dev/null
  for node in $(kc "${c}" get nodes -o 'jsonpath={.items[*].metadata.name}'); do
    # Admission taints every new node not-ready until its kubelet reports;
    # these nodes have no kubelet, so drop the taint and report for them.
    kc "${c}" taint nodes "${node}" node.kubernetes.io/not-ready:NoSchedule- > /dev/null 2>&1 || true
    kc "${c}" patch node "${node}" --subresource=status --type=merge -p "{\"status\":{
      \"capacity\":{\"pods\":\"110\",\"cpu\":\"8\",\"memory\":\"32Gi\"},
      \"allocatable\":{\"pods\":\"110\",\"cpu\":\"8\",\"memory\":\"32Gi\"},
      \"conditions\":[{\"type\":\"Ready\",\"status\":\"True\",\"reason\":\"E2EFakeNode\",\"message\":\"no kubelet; status written by the e2e harness\",\"lastHeartbeatTime\":\"${now}\",\"lastTransitionTime\":\"${now}\"}]}}" > /dev/null
  done
}

step "fake nodes" kube-scheduler
fake_nodes "${e2e_kubeconfig}"

for t in "${targets[@]}"; do
  wait_apiserver "target-${t}-" "$(target_pki "${t}")"
  kube_controllers "target-${t}-" "$(target_pki "${t}")"
done
for t in "${targets[@]}"; do
  tpki=$(target_pki "${t}")
  wait_controllers "target-${t}-" "${tpki}"

  step "target-${t}: target namespace, provider identity and RBAC, fake nodes" "target-${t}-kube-apiserver"
  kc "${tpki}/admin.kubeconfig" apply -f "${e2e_here}/target.yaml" > /dev/null
  fake_nodes "${tpki}/admin.kubeconfig"
  # The kubeconfig the hub's provider uses: a token of the ServiceAccount
  # that target.yaml grants what delivery needs, not the target's admin.
  token=$(kc "${tpki}/admin.kubeconfig" -n kube-system create token crossplane-provider-kubernetes --duration 24h)
  cat > "${tpki}/provider.kubeconfig" <<KUBECONFIG
apiVersion: v1
kind: Config
clusters:
  - name: e2e-target-${t}
    cluster:
      server: https://127.0.0.1:$(target_api_port "${t}")
      certificate-authority-data: $(base64 -w0 < "${tpki}/ca.crt")
users:
  - name: crossplane-provider-kubernetes
    user:
      token: ${token}
contexts:
  - name: e2e-target-${t}
    context: {cluster: e2e-target-${t}, user: crossplane-provider-kubernetes}
current-context: e2e-target-${t}
KUBECONFIG

  step "target-${t}: stand-in kubelet" "target-${t}-kubelet"
  start "target-${t}-kubelet" env KUBECTL="${kubectl_bin}" KUBECONFIG="${tpki}/admin.kubeconfig" "${e2e_here}/kubelet.sh"
done

step "provider-kubernetes CRDs" crossplane
# Applied directly, as the package manager would from the provider package.
# The package manager would also point the cluster-scoped Object CRD's
# conversion webhook at the provider's Service; out of cluster there is none.
# The function writes only v1alpha2 cluster-scoped Objects, the storage
# version, so nothing needs converting: the conversion strategy becomes None.
provider_src=$(cd "${e2e_here}/provider-kubernetes" && GOTOOLCHAIN=local go list -m -f '{{.Dir}}' github.com/crossplane-contrib/provider-kubernetes)
provider_crds="${e2e_run}/provider-crds"
mkdir -p "${provider_crds}"
for f in "${provider_src}"/package/crds/*.yaml; do
  awk '/^  conversion:$/ { print "  conversion:"; print "    strategy: None"; skip = 1; next }
    skip && /^  [^ ]/ { skip = 0 }
    !skip' "${f}" > "${provider_crds}/$(basename "${f}")"
done
grep -q 'strategy: None' "${provider_crds}/kubernetes.crossplane.io_objects.yaml" || {
  echo "e2e up: cannot set the conversion strategy of the cluster-scoped Object CRD" >&2
  false
}
k apply --server-side -f "${provider_crds}" > /dev/null
k wait --for=condition=Established --timeout=60s -f "${provider_crds}" > /dev/null

step "provider-kubernetes" provider-kubernetes
"${harness_bin}" sign -ca-cert "${pki}/ca.crt" -ca-key "${pki}/ca.key" -dir "${e2e_run}/provider-tls" \
  -cn provider-kubernetes -ip 127.0.0.1 -dns localhost
echo "${provider_dir}/provider" > "${e2e_run}/provider-kubernetes.bin"
"${e2e_here}/provider.sh" start

step "provider configs for the target clusters" provider-kubernetes
# One Secret per target holding its kubeconfig (embedded data), a
# ClusterProviderConfig for the namespaced Objects of sessions in any
# namespace, and a ProviderConfig of the same name for the cluster-scoped
# Objects of legacy cluster-scoped sessions.
for t in "${targets[@]}"; do
  k -n crossplane-system create secret generic "spoke-${t}-kubeconfig" \
    --from-file kubeconfig="$(target_pki "${t}")/provider.kubeconfig" > /dev/null
  for kind in kubernetes.m.crossplane.io/v1alpha1/ClusterProviderConfig kubernetes.crossplane.io/v1alpha1/ProviderConfig; do
    k apply -f - > /dev/null <<YAML
apiVersion: ${kind%/*}
kind: ${kind##*/}
metadata:
  name: spoke-${t}
spec:
  credentials:
    source: Secret
    secretRef:
      namespace: crossplane-system
      name: spoke-${t}-kubeconfig
      key: kubeconfig
YAML
  done
done

cat > "${e2e_run}/env" <<ENV
KUBECONFIG=${e2e_kubeconfig}
E2E_KUBECTL=${kubectl_bin}
E2E_LOGS=${e2e_logs}
E2E_PACKAGE_REF=$(cat "${e2e_run}/package.ref")
E2E_TARGET_A_KUBECONFIG=$(target_pki a)/admin.kubeconfig
E2E_TARGET_B_KUBECONFIG=$(target_pki b)/admin.kubeconfig
E2E_PROVIDER=${e2e_here}/provider.sh
ENV

trap - ERR
echo "e2e up: ready in $(($(date +%s) - started_at))s; run commands in the stack with hack/e2e/exec.sh, stop it with hack/e2e/down.sh"
