#!/usr/bin/env bash
# Builds the e2e control plane from the Go module proxy and caches it:
#
#   etcd                      hack/e2e/etcd        (go.etcd.io/etcd/server/v3)
#   kube-apiserver, kube-controller-manager, kube-scheduler, kubectl
#                             hack/e2e/kubernetes  (k8s.io/kubernetes)
#   crossplane                hack/e2e/crossplane  (Crossplane core)
#   provider                  hack/e2e/provider-kubernetes (provider-kubernetes,
#                             delivering Objects to the target clusters)
#   e2e-harness               hack/e2e/harness     (certificates, registry, package push)
#
# Each scratch module pins its versions in its own go.mod and go.sum. Binaries
# land in ${CACHE_DIR}/e2e/bin/<module>-<hash of go.mod and go.sum>/, so a
# version bump builds afresh and an unchanged module is never rebuilt. Builds
# run at the lowest CPU priority: a cold build takes 20 to 30 minutes on two
# cores and should not starve whatever else the machine does.
#
# Prints the directories it built or found, as KEY=DIR lines for env files.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "${here}/../.." && pwd)"
cache="${CACHE_DIR:-${root}/.cache}"
bin="${cache}/e2e/bin"
mkdir -p "${bin}"

# The scratch modules need a Go at least as new as their go lines; a newer
# local toolchain is fine, and downloading another one is not possible here.
export GOTOOLCHAIN="${GOTOOLCHAIN:-local}"
export CGO_ENABLED=0

k8s_version=v1.37.2
k8s_ldflags=""
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  # Without these, the version is v0.0.0-master and clients such as kubectl
  # and Crossplane refuse or misparse the server version.
  k8s_ldflags+=" -X ${pkg}.gitVersion=${k8s_version}"
  k8s_ldflags+=" -X ${pkg}.gitMajor=1 -X ${pkg}.gitMinor=37"
  k8s_ldflags+=" -X ${pkg}.gitTreeState=clean"
done
# Crossplane checks every package's crossplane.version constraint against
# its own version, which lives in crossplane-runtime; unset, it refuses every
# package that has a constraint.
crossplane_ldflags="-X github.com/crossplane/crossplane-runtime/v2/pkg/version.version=v2.4.0"
# provider-kubernetes reports this version in its logs and change logs.
provider_ldflags="-X github.com/crossplane-contrib/provider-kubernetes/internal/version.Version=v1.3.1"

# out_dir MODULE LDFLAGS prints where MODULE's binaries are cached: keyed by
# everything that changes them, the module's pins and the build flags.
out_dir() {
  local sum
  sum=$( (cat "${here}/$1/go.mod" "${here}/$1/go.sum"; echo "$2") | sha256sum | cut -c1-12)
  echo "${bin}/$1-${sum}"
}

# build MODULE LDFLAGS PACKAGE... builds PACKAGEs of MODULE into its cache dir
# unless every binary is already there.
build() {
  local module=$1 ldflags=$2
  shift 2
  local out missing=0 pkg start
  out=$(out_dir "${module}" "${ldflags}")
  for pkg in "$@"; do
    [ -x "${out}/$(basename "${pkg}")" ] || missing=1
  done
  if [ "${missing}" = 0 ]; then
    echo "e2e build: ${module}: cached in ${out}" >&2
    return
  fi
  echo "e2e build: ${module}: building $* (cold builds take minutes)" >&2
  start=$(date +%s)
  rm -rf "${out}.tmp"
  mkdir -p "${out}.tmp"
  (cd "${here}/${module}" &&
    nice -n 19 go build -trimpath -ldflags "-s -w ${ldflags}" -o "${out}.tmp/" "$@")
  rm -rf "${out}"
  mv "${out}.tmp" "${out}"
  # Builds of older pins are never used again.
  local old
  for old in "${bin}/${module}"-*; do
    [ "${old}" = "${out}" ] || rm -rf "${old}"
  done
  echo "e2e build: ${module}: built in $(($(date +%s) - start))s" >&2
}

only=("$@")
want() { [ ${#only[@]} -eq 0 ] || [[ " ${only[*]} " == *" $1 "* ]]; }

want harness && build harness "" ./cmd/e2e-harness
want etcd && build etcd "" github.com/k8s-breakglass/function-debug-session/hack/e2e/etcd
want crossplane && build crossplane "${crossplane_ldflags}" \
  github.com/crossplane/crossplane/v2/cmd/crossplane
want provider-kubernetes && build provider-kubernetes "${provider_ldflags}" \
  github.com/crossplane-contrib/provider-kubernetes/cmd/provider
want kubernetes && build kubernetes "${k8s_ldflags}" \
  k8s.io/kubernetes/cmd/kube-apiserver \
  k8s.io/kubernetes/cmd/kube-controller-manager \
  k8s.io/kubernetes/cmd/kube-scheduler \
  k8s.io/kubernetes/cmd/kubectl

echo "harness=$(out_dir harness "")"
echo "etcd=$(out_dir etcd "")"
echo "crossplane=$(out_dir crossplane "${crossplane_ldflags}")"
echo "kubernetes=$(out_dir kubernetes "${k8s_ldflags}")"
echo "provider=$(out_dir provider-kubernetes "${provider_ldflags}")"
