#!/usr/bin/env bash
# Install the Debian packages QC Portal needs, when they are missing.
#   scripts/system-deps.sh fonts   CJK fonts for PDFs (fonts-noto-cjk, fonts-dejavu-core)
#   scripts/system-deps.sh all     fonts + poppler-utils (pdftotext) + chromium (browser tests)
# Without root or apt-get it only says what is missing.
set -euo pipefail

want=(fonts-noto-cjk fonts-dejavu-core)
if [ "${1:-all}" = "all" ]; then
  want+=(poppler-utils chromium chromium-driver)
fi

missing=()
for pkg in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "warning: missing Debian packages: ${missing[*]} (install them as root: apt-get install -y ${missing[*]})" >&2
  exit 0
fi
echo "installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null || true
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
