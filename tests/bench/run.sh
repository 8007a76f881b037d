#!/bin/sh
# make bench: runs every tests/bench/*.sh but this one; each prints its figures.
set -e
top=${JD_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
export JD_TOP=$top JD_BUILD=${JD_BUILD:-$top/build}
for b in "$top"/tests/bench/*.sh; do
	[ "$(basename "$b")" = run.sh ] && continue
	echo "== $(basename "$b" .sh)"
	sh "$b"
done
