#!/usr/bin/env bash
# Validates every example scenario against the CRDs, offline, with
# `crossplane beta validate`:
#
#   - the scenario's inputs (xr.yaml, required.yaml, observed.yaml,
#     composition.yaml) and the installed Composition;
#   - its render (through hack/render.sh keep): the DebugSession with its
#     status, and the composed resources.
#
# Schemas: the DebugSession XRD (example/install/xrd.yaml), the breakglass CRDs
# (example/install/crd-*.yaml), the function's input CRD (package/input; the
# validator checks Composition pipeline inputs), the provider-kubernetes
# Object CRDs vendored under hack/testdata/provider-kubernetes, and
# Crossplane's own CRDs, which `crossplane beta validate` always loads for its
# own version from its cache
# (<cache>/xpkg.crossplane.io/crossplane/crossplane@<version>/). This script
# fills that cache from the crossplane Go module, so nothing is downloaded,
# and runs the validator behind an unreachable proxy to make sure of it.
#
# Built-in Kubernetes kinds (a DaemonSet composed by Local delivery, a
# ConfigMap in observed.yaml) have no CRD: they are listed, not validated.
# Everything else must have a schema.
#
#   hack/validate.sh [example/<scenario>…]
set -euo pipefail
cd "$(dirname "$0")/.."

cache="${CACHE_DIR:-$PWD/.cache}"
version="${CROSSPLANE_VERSION:-v2.2.1}"
crossplane="${cache}/bin/crossplane-${version}"
schema_cache="${cache}/validate/schemas"

[ -x "${crossplane}" ] || { echo "validate: ${crossplane} is missing; run 'make tools'" >&2; exit 1; }

# Crossplane's CRDs, where `crossplane beta validate` looks for the schemas of
# xpkg.crossplane.io/crossplane/crossplane:<version> before downloading them.
core="${schema_cache}/xpkg.crossplane.io/crossplane/crossplane@${version}"
if [ ! -d "${core}" ]; then
  dir=$(go mod download -json "github.com/crossplane/crossplane/v2@${version}" |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  [ -d "${dir}/cluster/crds" ] || { echo "validate: cannot find the CRDs of github.com/crossplane/crossplane/v2@${version}" >&2; exit 1; }
  mkdir -p "$(dirname "${core}")"
  tmp=$(mktemp -d "${core}.tmp-XXXXXX")
  cp "${dir}"/cluster/crds/*.yaml "${tmp}/"
  chmod -R u+w "${tmp}"
  # Another run may have filled it meanwhile; either copy will do.
  mv -T "${tmp}" "${core}" 2>/dev/null || rm -rf "${tmp}"
fi

scenarios=("$@")
if [ ${#scenarios[@]} -eq 0 ]; then
  for dir in example/*/; do
    [ -f "${dir}xr.yaml" ] && scenarios+=("${dir%/}")
  done
fi

mkdir -p "${cache}/validate"
work=$(mktemp -d "${cache}/validate/run-XXXXXX")
cleanup() {
  if [ "${failed:-1}" = 0 ]; then rm -rf "${work}"; else echo "validate: files are in ${work}" >&2; fi
}
trap cleanup EXIT

# The function's input CRD too: the validator checks pipeline step inputs.
extensions="example/install/xrd.yaml"
for f in example/install/crd-*.yaml package/input/*.yaml hack/testdata/provider-kubernetes/*.yaml; do
  extensions+=",${f}"
done

mkdir -p "${work}/rendered"
failed=0
RENDER_KEEP_DIR="${work}/rendered" ./hack/render.sh keep "${scenarios[@]}" || failed=1

# split FILE… writes the documents of the files to two streams: those
# with a schema (Crossplane, provider-kubernetes and breakglass kinds) to
# $1, built-in Kubernetes kinds to $2. `crossplane render -r` results are
# render output, not resources, and are dropped.
split() {
  local schema="$1" builtin="$2"
  shift 2
  awk -v schema="${schema}" -v builtin="${builtin}" '
    function flush() {
      if (body != "" && api != "" && api !~ /^render\.crossplane\.io\//) {
        if (api ~ /(^|\.)(breakglass\.telekom\.de|crossplane\.io)\//) {
          printf "---\n%s", body >> schema
        } else {
          printf "---\n%s", body >> builtin
          printf "%s %s\n", api, kind >> (builtin ".kinds")
        }
      }
      body = ""; api = ""; kind = ""
    }
    FNR == 1 { flush() }
    /^---/ { flush(); next }
    /^apiVersion:/ { api = $2 }
    /^kind:/ { kind = $2 }
    { body = body $0 "\n" }
    END { flush() }
  ' "$@"
}

validate() {
  local label="$1" file="$2" log="$3"
  # An unreachable proxy makes any download attempt fail at once.
  if ! HTTPS_PROXY=http://127.0.0.1:9 HTTP_PROXY=http://127.0.0.1:9 NO_PROXY= \
    "${crossplane}" beta validate --cache-dir="${schema_cache}" --error-on-missing-schemas \
    "${extensions}" "${file}" > "${log}" 2>&1; then
    echo "validate: ${label}: failed:" >&2
    grep -v '^\[✓\]' "${log}" >&2 || true
    failed=1
    return
  fi
  if grep -q 'downloading' "${log}"; then
    echo "validate: ${label}: the validator tried to download schemas:" >&2
    cat "${log}" >&2
    failed=1
    return
  fi
  echo "validate: ${label}: $(tail -n 1 "${log}")"
}

# The Composition every scenario without its own uses.
split "${work}/install.yaml" "${work}/install-builtin.yaml" example/install/composition.yaml
validate "example/install/composition.yaml" "${work}/install.yaml" "${work}/install.log"

for dir in "${scenarios[@]}"; do
  dir="${dir%/}"
  name=$(basename "${dir}")
  inputs=()
  for f in xr.yaml required.yaml observed.yaml composition.yaml; do
    [ -f "${dir}/${f}" ] && inputs+=("${dir}/${f}")
  done
  split "${work}/${name}-inputs.yaml" "${work}/${name}-inputs-builtin.yaml" "${inputs[@]}"
  validate "${name} inputs" "${work}/${name}-inputs.yaml" "${work}/${name}-inputs.log"

  rendered="${work}/rendered/${name}.yaml"
  if [ ! -f "${rendered}" ]; then
    echo "validate: ${name}: no render to validate" >&2
    failed=1
    continue
  fi
  split "${work}/${name}-render.yaml" "${work}/${name}-render-builtin.yaml" "${rendered}"
  if [ ! -s "${work}/${name}-render.yaml" ]; then
    echo "validate: ${name}: the render holds no DebugSession" >&2
    failed=1
    continue
  fi
  validate "${name} render" "${work}/${name}-render.yaml" "${work}/${name}-render.log"
  for part in inputs render; do
    kinds="${work}/${name}-${part}-builtin.yaml.kinds"
    [ -f "${kinds}" ] || continue
    echo "validate: ${name} ${part}: built-in kinds, no CRD to validate against: $(sort "${kinds}" | uniq -c | awk '{printf "%s%s %s ×%s", sep, $2, $3, $1; sep=", "}')"
  done
done

if [ "${failed}" = 0 ]; then echo "validate: all examples match their schemas"; fi
exit "${failed}"
