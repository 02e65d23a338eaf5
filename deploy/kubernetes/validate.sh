#!/usr/bin/env bash
# Renders a kustomize overlay (default: the production one) with `kubectl kustomize` and
# validates every object against the Kubernetes and CloudNativePG schemas
# (validation/validate.mjs). Exits non-zero when the overlay does not render or an object is
# wrong. Usage: deploy/kubernetes/validate.sh [OVERLAY_DIRECTORY]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
overlay="${1:-$here/overlays/production}"

if ! command -v kubectl >/dev/null; then
  echo "kubectl is missing: run eng/install-prerequisites.sh (Debian package kubernetes-client)" >&2
  exit 2
fi
if [[ ! -d "$here/validation/node_modules" ]]; then
  (cd "$here/validation" && npm ci --no-audit --no-fund --loglevel=error)
fi

rendered="$(mktemp)"
trap 'rm -f "$rendered"' EXIT
kubectl kustomize "$overlay" > "$rendered"
node "$here/validation/validate.mjs" "$rendered"
