#!/usr/bin/env bash
# Renders every example scenario through the real `crossplane render`.
#
#   hack/render.sh run     print one line per scenario (state, binding, what is
#                          composed, what it waits for); the full renders are
#                          kept in $CACHE_DIR/render/last/<scenario>.yaml
#   hack/render.sh golden  rewrite each scenario's expected.yaml
#   hack/render.sh check   diff each render against expected.yaml
#   hack/render.sh keep    write each render to $RENDER_KEEP_DIR/<scenario>.yaml
#
# Further arguments name scenario folders to render instead of all of them;
# `run` then prints each render in full:
#   hack/render.sh run example/netops-active
#
# A scenario is a folder under example/ with xr.yaml and required.yaml, and
# optionally composition.yaml (default example/install/composition.yaml) and
# observed.yaml (composed resources that already exist).
#
# The function runs as a local process with --insecure on 127.0.0.1 and with
# its clock pinned, so that renders do not change with the wall clock. This
# script stops only the process it started.
set -euo pipefail
cd "$(dirname "$0")/.."

mode="${1:-run}"
cache="${CACHE_DIR:-$PWD/.cache}"
crossplane="${cache}/bin/crossplane-${CROSSPLANE_VERSION:-v2.2.1}"
function_bin="${cache}/bin/function-debug-session"
fixed_now="${FIXED_NOW:-2026-01-01T09:00:00Z}"
shift || true
scenarios=("$@")
summary=0
if [ ${#scenarios[@]} -eq 0 ]; then
  [ "${mode}" = run ] && summary=1
  for dir in example/*/; do
    [ -f "${dir}xr.yaml" ] && scenarios+=("${dir%/}")
  done
fi

# Each run gets its own scratch folder, so concurrent runs do not collide.
mkdir -p "${cache}/render"
work=$(mktemp -d "${cache}/render/run-XXXXXX")

for bin in "${crossplane}" "${function_bin}"; do
  [ -x "${bin}" ] || { echo "render: ${bin} is missing; run 'make build' and 'make tools'" >&2; exit 1; }
done

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

port="${RENDER_PORT:-19443}"
while listening "${port}"; do port=$((port + 1)); done

log="${work}/function.log"
"${function_bin}" serve --insecure --address "127.0.0.1:${port}" --metrics-address "" \
  --fixed-now "${fixed_now}" --debug > "${log}" 2>&1 &
fn_pid=$!
cleanup() {
  kill "${fn_pid}" 2>/dev/null || true
  wait "${fn_pid}" 2>/dev/null || true
  if [ "${failed:-1}" = 0 ]; then rm -rf "${work}"; else echo "render: logs are in ${work}" >&2; fi
}
trap cleanup EXIT

for _ in $(seq 1 100); do
  listening "${port}" && break
  kill -0 "${fn_pid}" 2>/dev/null || { echo "render: the function exited; its log:" >&2; cat "${log}" >&2; exit 1; }
  sleep 0.1
done
listening "${port}" || { echo "render: the function did not listen on 127.0.0.1:${port}" >&2; exit 1; }

sed "s/127.0.0.1:9443/127.0.0.1:${port}/" example/functions.yaml > "${work}/functions.yaml"

failed=0
for dir in "${scenarios[@]}"; do
  dir="${dir%/}"
  [ -f "${dir}/xr.yaml" ] || { echo "render: ${dir} has no xr.yaml" >&2; failed=1; continue; }
  name=$(basename "${dir}")
  composition="${dir}/composition.yaml"
  [ -f "${composition}" ] || composition=example/install/composition.yaml
  args=("${dir}/xr.yaml" "${composition}" "${work}/functions.yaml" -r --required-resources="${dir}/required.yaml")
  [ -f "${dir}/observed.yaml" ] && args+=(--observed-resources="${dir}/observed.yaml")
  # Kept renders are for schema validation, which needs the whole XR.
  [ "${mode}" = keep ] && args+=(--include-full-xr)

  out="${work}/${name}.yaml"
  if ! "${crossplane}" render "${args[@]}" > "${out}" 2> "${work}/${name}.err"; then
    echo "render: ${name}: crossplane render failed:" >&2
    cat "${work}/${name}.err" >&2
    failed=1
    continue
  fi
  case "${mode}" in
    run)
      if [ "${summary}" = 1 ]; then
        mkdir -p "${cache}/render/last"
        cp "${out}" "${cache}/render/last/${name}.yaml"
      else
        echo "### ${name} (${dir})"
        cat "${out}"
      fi
      ;;
    golden)
      cp "${out}" "${dir}/expected.yaml"
      echo "render: wrote ${dir}/expected.yaml"
      ;;
    check)
      if ! diff -u "${dir}/expected.yaml" "${out}" > "${work}/${name}.diff"; then
        echo "render: ${name}: the render differs from ${dir}/expected.yaml (run 'make golden' if the change is intended):" >&2
        cat "${work}/${name}.diff" >&2
        failed=1
      else
        echo "render: ${name}: matches expected.yaml"
      fi
      ;;
    keep)
      cp "${out}" "${RENDER_KEEP_DIR:?keep needs RENDER_KEEP_DIR}/${name}.yaml"
      ;;
    *) echo "usage: $0 run|golden|check|keep" >&2; exit 2 ;;
  esac
done
if [ "${summary}" = 1 ]; then
  for dir in "${scenarios[@]}"; do
    last="${cache}/render/last/$(basename "${dir%/}").yaml"
    [ -f "${last}" ] && "${function_bin}" summarize "${last}"
  done
  echo
  echo "Full renders: ${cache}/render/last/<scenario>.yaml; print one with: hack/render.sh run example/<scenario>"
fi
exit "${failed}"
