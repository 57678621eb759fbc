#!/usr/bin/env bash
# Builds promtool from the Go module proxy, caches it, and prints its path.
#
# The Prometheus module is built as its own main module, apart from this
# project's: requiring it here would upgrade gRPC, OpenTelemetry and the
# golang.org/x modules of the function's graph. A cold build takes about ten
# minutes. Use it to check the example alerts with the real PromQL parser:
#
#   PROMTOOL=$(hack/promtool.sh) go test ./example/observability
set -euo pipefail

version="${PROMETHEUS_MODULE_VERSION:-v0.313.2}"
cache="${CACHE_DIR:-$(cd "$(dirname "$0")/.." && pwd)/.cache}"
out="${cache}/bin/promtool-${version}"

if [ -x "${out}" ]; then
  echo "${out}"
  exit 0
fi

mkdir -p "${cache}/bin" "${cache}/src"
dir=$(go mod download -json "github.com/prometheus/prometheus@${version}" |
  sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
if [ -z "${dir}" ] || [ ! -d "${dir}" ]; then
  echo "cannot download github.com/prometheus/prometheus@${version}" >&2
  exit 1
fi

# The module cache is read-only; build from a writable copy. Its go.work
# names modules the published zip leaves out, so it is switched off.
src="${cache}/src/prometheus-${version}"
rm -rf "${src}"
cp -r "${dir}" "${src}"
chmod -R u+w "${src}"
(cd "${src}" && GOWORK=off GOFLAGS=-mod=mod CGO_ENABLED=0 go build -o "${out}" ./cmd/promtool) >&2
rm -rf "${src}"
echo "${out}"
