#!/bin/sh
# Installs the Debian packages a target needs: build-aux/deps/build.txt always,
# then check-*.txt (for `make check`/bench) or demo-*.txt (for `make demo`).
# As root it runs apt-get; otherwise it prints the exact command and fails.
set -e
want=${1:-check}
dir=$(dirname "$0")/deps
pkgs=$(cat "$dir"/build.txt "$dir"/"$want"-*.txt 2>/dev/null | sed -e 's/#.*//' | tr -s ' \t' '\n\n' | grep -v '^$' | sort -u)
missing=
for p in $pkgs; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$st" in *"install ok installed"*) ;; *) missing="$missing $p" ;; esac
done
[ -z "$missing" ] && exit 0
cmd="apt-get install -y --no-install-recommends$missing"
if [ "$(id -u)" != 0 ]; then
	echo "jobdoc: missing Debian packages; run as root:" >&2
	echo "  apt-get update && $cmd" >&2
	exit 1
fi
echo "jobdoc: installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
