#!/usr/bin/env bash
# Builds the Function package (.xpkg) without Docker:
#
#   1. the static function binary (CGO_ENABLED=0, linux/$XPKG_ARCH);
#   2. its OCI runtime image, written as a tarball by hack/xpkg (built with
#      go-containerregistry from its own pinned module): the binary alone on
#      an empty base, entrypoint /function, user 65532:65532;
#   3. the package: `crossplane xpkg build` of package/ (crossplane.yaml and
#      the input CRD) with that image embedded as its runtime.
#
# Output: $XPKG_OUT (default .cache/xpkg/function-debug-session.xpkg).
# Environment: XPKG_ARCH (default: the Go host architecture), XPKG_TAG
# (default function-debug-session:dev), CACHE_DIR, CROSSPLANE_VERSION.
set -euo pipefail
cd "$(dirname "$0")/.."

cache="${CACHE_DIR:-$PWD/.cache}"
crossplane="${cache}/bin/crossplane-${CROSSPLANE_VERSION:-v2.2.1}"
arch="${XPKG_ARCH:-$(go env GOARCH)}"
tag="${XPKG_TAG:-function-debug-session:dev}"
out="${XPKG_OUT:-${cache}/xpkg/function-debug-session.xpkg}"
image_tool="${cache}/tools/xpkg-image"

[ -x "${crossplane}" ] || { echo "xpkg: ${crossplane} is missing; run 'make tools'" >&2; exit 1; }

mkdir -p "${cache}/xpkg" "${cache}/tools" "$(dirname "${out}")"
work=$(mktemp -d "${cache}/xpkg/build-XXXXXX")
trap 'rm -rf "${work}"' EXIT

# hack/xpkg is its own module; `go build` is a no-op when nothing changed.
(cd hack/xpkg && CGO_ENABLED=0 go build -trimpath -o "${image_tool}" .)

echo "xpkg: building the function binary for linux/${arch}" >&2
CGO_ENABLED=0 GOOS=linux GOARCH="${arch}" go build -trimpath -ldflags "-s -w" -o "${work}/function" ./fn

"${image_tool}" -binary "${work}/function" -arch "${arch}" -tag "${tag}" \
  -source github.com/k8s-breakglass/function-debug-session -o "${work}/runtime.tar" >&2

# The package holds only package/: crossplane.yaml and the input CRD. There
# are no package examples (the render scenarios under example/ are not
# package examples), so --examples-root points at a folder that is absent.
"${crossplane}" xpkg build \
  --package-root=package \
  --examples-root="${work}/no-examples" \
  --embed-runtime-image-tarball="${work}/runtime.tar" \
  --package-file="${out}.tmp"
mv "${out}.tmp" "${out}"
echo "${out}"
