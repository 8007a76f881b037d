#!/bin/sh
# The cost of substitution parameters: jobdoc-compile over the 5,000
# generated specs in one process, without parameters, and the same specs
# with ~5 parameters each resolved from a -P file (gen-specs.py --params).
# Target (issue 4): rendering adds at most 20% (ratio <= 1.20). Also shown:
# the parameter specs compiled with --no-render, i.e. the cost of rendering
# alone on the same input.
. "$JD_TOP/tests/bench/common.sh"
mkdir -p "$JD_BUILD/bench"
bench_specs "$JD_BUILD/bench/specs"
bench_specs "$JD_BUILD/bench/specs-params" --params
P=$JD_BUILD/bench/specs-params/params.json
uses=$(cat "$JD_BUILD"/bench/specs-params/spec-*.yaml | grep -o '\${aws:iot:parameter:' | wc -l)
echo "render: 5,000 specs; with parameters: $uses placeholders, $(grep -o '"p[0-9]*_[a-z]*": ' "$P" | wc -l) values in the -P file"
# median of five: "CPU_SECONDS PEAK_KB", CPU = user + system (steadier than wall
# time on a shared machine); the last line of time's output (it adds one on a
# failure)
m3() {
	for i in 1 2 3 4 5; do
		/usr/bin/time -f '%U %S %M' -o "$JD_BUILD/bench/.rt" "$@" >/dev/null 2>&1
		tail -n 1 "$JD_BUILD/bench/.rt" | awk '{ printf "%.2f %s\n", $1 + $2, $3 }'
	done | sort -n | sed -n 3p
}
bad=$("$BIN/jobdoc-compile" --no-validate -P "$P" -o /dev/null "$JD_BUILD"/bench/specs-params/spec-*.yaml 2>&1 |
	grep -vc 'warning:' || true)
[ "$bad" = 0 ] || echo "render: NOTE: $bad errors compiling the parameter specs (see gen-specs.py); the figures are not comparable"
for mode in "--no-validate" ""; do
	plain=$(m3 "$BIN/jobdoc-compile" $mode -o /dev/null "$JD_BUILD"/bench/specs/spec-*.yaml)
	keep=$(m3 "$BIN/jobdoc-compile" $mode --no-render -o /dev/null "$JD_BUILD"/bench/specs-params/spec-*.yaml)
	with=$(m3 "$BIN/jobdoc-compile" $mode -P "$P" -o /dev/null "$JD_BUILD"/bench/specs-params/spec-*.yaml)
	awk -v a="${with% *}" -v b="${plain% *}" -v k="${keep% *}" -v m="${mode:-validating}" \
		'BEGIN { printf "render %-14s CPU: plain %.2f s, parameter specs --no-render %.2f s, rendered %.2f s: ratio %.2f to plain (target <= 1.20), %.2f to --no-render\n", m, b, k, a, a / b, a / k }'
done
