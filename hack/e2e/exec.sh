#!/usr/bin/env bash
# Runs a command inside the running e2e stack's network namespace, with
# KUBECONFIG and the stack's environment set, e.g.
#
#   hack/e2e/exec.sh .cache/e2e/bin/kubernetes-*/kubectl get nodes
#   hack/e2e/exec.sh kubectl get debugsessions -A     (kubectl = the stack's own)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

[ -f "${e2e_run}/env" ] || { echo "e2e exec: no stack is running; start one with hack/e2e/up.sh" >&2; exit 1; }
set -a
source "${e2e_run}/env"
set +a
# Make the stack's kubectl the one on PATH, so that the tests and a person at
# the prompt use a client of the same version as the server.
kubectl_dir="$(mktemp -d)"
trap 'rm -rf "${kubectl_dir}"' EXIT
ln -s "${E2E_KUBECTL}" "${kubectl_dir}/kubectl"
PATH="${kubectl_dir}:${PATH}" inns "$@"
