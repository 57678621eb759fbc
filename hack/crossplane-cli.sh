#!/usr/bin/env bash
# Builds the pinned crossplane CLI from the Go module proxy and caches it.
#
# `go install github.com/crossplane/crossplane/v2/cmd/crank@v2.2.1` does not work
# here: the proxy refuses the version list that `go install` asks for to check
# retractions. Building the module as the main module avoids that request.
set -euo pipefail

version="${CROSSPLANE_VERSION:-v2.2.1}"
cache="${CACHE_DIR:-$(cd "$(dirname "$0")/.." && pwd)/.cache}"
out="${cache}/bin/crossplane-${version}"

if [ -x "${out}" ]; then
  echo "${out}"
  exit 0
fi

mkdir -p "${cache}/bin" "${cache}/src"
dir=$(go mod download -json "github.com/crossplane/crossplane/v2@${version}" |
  sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
if [ -z "${dir}" ] || [ ! -d "${dir}" ]; then
  echo "cannot download github.com/crossplane/crossplane/v2@${version}" >&2
  exit 1
fi

# The module cache is read-only; build from a writable copy.
src="${cache}/src/crossplane-${version}"
rm -rf "${src}"
cp -r "${dir}" "${src}"
chmod -R u+w "${src}"

echo "building crossplane ${version} (a cold build takes several minutes)" >&2
(cd "${src}" && CGO_ENABLED=0 go build -trimpath -o "${out}.tmp" \
  -ldflags "-s -w -X github.com/crossplane/crossplane/v2/internal/version.version=${version}" ./cmd/crank)
mv "${out}.tmp" "${out}"
echo "${out}"
