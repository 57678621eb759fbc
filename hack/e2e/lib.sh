# Shared by the e2e scripts: where things live and how to reach the private
# network namespace the control plane runs in. Sourced, not executed.

e2e_here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
e2e_root="$(cd "${e2e_here}/../.." && pwd)"
e2e_cache="${CACHE_DIR:-${e2e_root}/.cache}"
# run/ holds the state of one running stack (certificates, data, pids);
# logs/ holds every component's log and survives `down` for post-mortems.
e2e_run="${e2e_cache}/e2e/run"
e2e_logs="${e2e_cache}/e2e/logs"
e2e_pids="${e2e_run}/pids"
e2e_kubeconfig="${e2e_run}/pki/admin.kubeconfig"

# e2e_netns_pid prints the pid that holds the network namespace, if any.
e2e_netns_pid() {
  [ -f "${e2e_run}/netns.pid" ] && cat "${e2e_run}/netns.pid"
}

# inns runs a command inside the stack's network namespace. nsenter execs the
# command in place, so "inns cmd &" leaves $! pointing at cmd itself.
inns() {
  local pid
  pid=$(e2e_netns_pid) || { echo "e2e: no stack is running (no ${e2e_run}/netns.pid)" >&2; return 1; }
  nsenter --net="/proc/${pid}/ns/net" -- "$@"
}

# e2e_bins sets harness_dir, etcd_dir, crossplane_dir, kubernetes_dir and
# provider_dir to the cached binaries, building whatever is missing.
e2e_bins() {
  local line
  while IFS= read -r line; do
    case "${line}" in
      harness=*) harness_dir=${line#*=} ;;
      etcd=*) etcd_dir=${line#*=} ;;
      crossplane=*) crossplane_dir=${line#*=} ;;
      kubernetes=*) kubernetes_dir=${line#*=} ;;
      provider=*) provider_dir=${line#*=} ;;
    esac
  done < <("${e2e_here}/build.sh")
  kubectl_bin="${kubernetes_dir}/kubectl"
  harness_bin="${harness_dir}/e2e-harness"
}

# e2e_started PID prints when PID started (clock ticks since boot), so that a
# pid recorded by an earlier run is never mistaken for an unrelated process
# that reuses the number.
e2e_started() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  echo "${stat}" | cut -d' ' -f20
}

# e2e_alive NAME PID START tells whether the recorded process still runs.
e2e_alive() {
  [ "$(e2e_started "$2" 2>/dev/null)" = "$3" ]
}
