#!/usr/bin/env bash
# Regenerates deepcopy code, CRDs and the DebugSession XRD from the Go types.
# Usage: hack/generate.sh CONTROLLER_GEN
set -euo pipefail
cd "$(dirname "$0")/.."
controller_gen="$1"

tmp=$(mktemp -d)
trap 'rm -rf "${tmp}"' EXIT

header="${tmp}/boilerplate.go.txt"
printf '/*\nCopyright 2026 The function-debug-session Authors.\n\nLicensed under the Apache License, Version 2.0.\n*/\n\n' > "${header}"

# The function input and its CRD (shipped in the Function package).
rm -rf package/input
"${controller_gen}" object:headerFile="${header}" paths=./input/v1beta1
"${controller_gen}" crd:crdVersions=v1 paths=./input/v1beta1 output:crd:artifacts:config=package/input

# The breakglass CRDs. DebugSession is not installed as a CRD: Crossplane
# creates it from the XRD, which is generated from the same Go type.
"${controller_gen}" object:headerFile="${header}" paths=./internal/apis/...
"${controller_gen}" crd:crdVersions=v1 paths=./internal/apis/... output:crd:artifacts:config="${tmp}/crds"
mkdir -p example/install
rm -f example/install/crd-*.yaml
for f in "${tmp}"/crds/*.yaml; do
  base=$(basename "${f}")
  case "${base}" in
    *_debugsessions.yaml) continue ;;
  esac
  kind=${base#breakglass.telekom.de_}
  cp "${f}" "example/install/crd-${kind}"
done
go run ./hack/xrdgen "${tmp}/crds/breakglass.telekom.de_debugsessions.yaml" > example/install/xrd.yaml
