#!/usr/bin/env bash
# Install the Debian packages QC Portal needs, when they are missing.
#   scripts/system-deps.sh fonts   CJK fonts for PDFs (fonts-noto-cjk, fonts-dejavu-core)
#   scripts/system-deps.sh backup  postgresql-client (pg_dump/pg_restore for manage.py backup/restore)
#   scripts/system-deps.sh all     fonts + poppler-utils (pdftotext) + chromium (browser tests) + postgresql-client
# Without root or apt-get it only says what is missing.
set -euo pipefail

group="${1:-all}"
want=()
case "$group" in
  backup) ;;
  all) want+=(fonts-noto-cjk fonts-dejavu-core poppler-utils chromium chromium-driver) ;;
  *) want+=(fonts-noto-cjk fonts-dejavu-core) ;;
esac
# pg_dump must be at least the server's major version; a client already on PATH (any package
# that provides it, e.g. postgresql-client-15 or the server's own) is enough here, and
# qcportal.backup.pg_tool reports a version that is too old.
if { [ "$group" = "backup" ] || [ "$group" = "all" ]; } && ! command -v pg_dump >/dev/null 2>&1; then
  want+=(postgresql-client)
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
