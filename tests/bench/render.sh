#!/bin/sh
# Benchmark: the cost of substitution parameters. Compiles 5,000 generated
# specs in one jobdoc-compile process, once without parameters and once with
# ~5 parameters each (-P params file), and prints the added cost of rendering
# as a ratio (target: at most 1.20).
#
# The specs come from tests/bench/gen-specs.py (the lead's generator):
#   gen-specs.py OUTDIR            5,000 specs, no parameters
#   gen-specs.py --params OUTDIR   the same specs using ~5 parameters each,
#                                  plus a parameters file in OUTDIR
#                                  (params.json or params.yaml)
set -e
: "${JD_TOP:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${JD_BUILD:=$JD_TOP/build}"
BIN=$JD_BUILD/bin
GEN=$JD_TOP/tests/bench/gen-specs.py
RUNS=${RUNS:-5}
if [ ! -f "$GEN" ]; then
	echo "render: $GEN is missing; cannot generate the specs" >&2
	exit 1
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/jdbench-render.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/plain" "$tmp/params"
python3 "$GEN" "$tmp/plain" >/dev/null
python3 "$GEN" --params "$tmp/params" >/dev/null
pfile=
for f in "$tmp/params/params.json" "$tmp/params/params.yaml" "$tmp/params/params.yml"; do
	[ -f "$f" ] && pfile=$f && break
done
[ -n "$pfile" ] || { echo "render: gen-specs.py --params wrote no params file" >&2; exit 1; }
n=$(ls "$tmp/plain" | grep -c '\.y.*ml$\|\.json$' || true)
nparam=$(ls "$tmp/params" | grep -v "^$(basename "$pfile")\$" | grep -c '\.y.*ml$\|\.json$' || true)

# median wall time of RUNS runs of "$@", in milliseconds
median_ms() {
	i=0
	: >"$tmp/times"
	while [ $i -lt "$RUNS" ]; do
		s=$(date +%s%N)
		"$@" >/dev/null 2>"$tmp/stderr" || { cat "$tmp/stderr" >&2; return 1; }
		e=$(date +%s%N)
		echo $(((e - s) / 1000000)) >>"$tmp/times"
		i=$((i + 1))
	done
	sort -n "$tmp/times" | sed -n "$(((RUNS + 1) / 2))p"
}
cd "$tmp/plain"
plain=$(median_ms "$BIN/jobdoc-compile" -o /dev/null $(ls | grep '\.y.*ml$\|\.json$'))
plain_nv=$(median_ms "$BIN/jobdoc-compile" --no-validate -o /dev/null $(ls | grep '\.y.*ml$\|\.json$'))
cd "$tmp/params"
files=$(ls | grep '\.y.*ml$\|\.json$' | grep -v "^$(basename "$pfile")\$")
with=$(median_ms "$BIN/jobdoc-compile" -P "$pfile" -o /dev/null $files)
with_nv=$(median_ms "$BIN/jobdoc-compile" --no-validate -P "$pfile" -o /dev/null $files)
uses=$(cat $files | grep -o '\${aws:iot:parameter:' | wc -l)
echo "render: $n specs without parameters, $nparam with $uses parameter uses ($(basename "$pfile"))"
echo "render: compile, no parameters:      ${plain} ms (--no-validate: ${plain_nv} ms)"
echo "render: compile with -P (rendering): ${with} ms (--no-validate: ${with_nv} ms)"
awk -v a="$with" -v b="$plain" -v c="$with_nv" -v d="$plain_nv" 'BEGIN {
	printf "render: ratio rendering/plain: %.3f (target <= 1.20); without validation: %.3f\n", a / b, c / d }'
