#!/usr/bin/env bash
# Installs what the fleet and its tests need on a Debian 12 machine with the .NET 10 SDK:
# PostgreSQL 15 server binaries, the real clients the end-to-end tests drive, Chromium (the
# dashboard's browser test drives it; Playwright never downloads a browser), kubectl (renders
# the Kubernetes manifests), and the npm packages of the gRPC interoperability test and of the
# manifests' validation. Safe to run again; needs root for apt-get.
set -euo pipefail
cd "$(dirname "$0")/.."

debian_packages=(postgresql-15 postgresql-client-15 openssl curl python3 nodejs npm chromium swaks libnet-ssleay-perl)
debian_packages+=(isync)          # mbsync: the IMAP end-to-end tests and benchmark
debian_packages+=(dovecot-imapd)  # the IMAP benchmark's peer
debian_packages+=(dnsmasq-base)   # the DNS server of the MX's SPF/DKIM/DMARC tests
debian_packages+=(python3-dkim)   # dkimpy: signs the messages the MX verifies, verifies what the relay signs
# kubectl renders deploy/kubernetes (kubectl kustomize). Debian's package is kubernetes-client; a
# kubectl already on PATH (another package ships /usr/bin/kubectl too, and they conflict) will do.
command -v kubectl >/dev/null || debian_packages+=(kubernetes-client)
missing=()
for package in "${debian_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
# nodejs/npm may come from elsewhere than Debian: a working `npm` on PATH is enough.
if command -v node >/dev/null && command -v npm >/dev/null; then
  missing=("${missing[@]/nodejs}"); missing=("${missing[@]/npm}")
fi
missing=($(printf '%s\n' "${missing[@]}" | grep -v '^$' || true))

if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "missing Debian packages (install them as root): ${missing[*]}" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

for dir in tests/*/interop deploy/kubernetes/validation; do
  if [[ -f "$dir/package.json" && ! -d "$dir/node_modules" ]]; then
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  fi
done
