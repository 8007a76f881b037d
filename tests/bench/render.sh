#!/bin/sh
# The cost of substitution parameters: jobdoc-compile over the 5,000
# generated specs in one process, without parameters, and the same specs
# with ~5 parameters each resolved from a -P file (gen-specs.py --params).
# Target (issue 4): rendering adds at most 20% (ratio <= 1.20).
. "$JD_TOP/tests/bench/common.sh"
mkdir -p "$JD_BUILD/bench"
bench_specs "$JD_BUILD/bench/specs"
bench_specs "$JD_BUILD/bench/specs-params" --params
uses=$(cat "$JD_BUILD"/bench/specs-params/spec-*.yaml | grep -o '\${aws:iot:parameter:' | wc -l)
echo "render: 5000 specs; with parameters: $uses placeholders, $(grep -o '"p[0-9]*_' "$JD_BUILD/bench/specs-params/params.json" | wc -l) values in params.json"
for mode in "--no-validate" ""; do
	plain=$(median3 "$BIN/jobdoc-compile" $mode -o /dev/null "$JD_BUILD"/bench/specs/spec-*.yaml)
	with=$(median3 "$BIN/jobdoc-compile" $mode -P "$JD_BUILD/bench/specs-params/params.json" \
		-o /dev/null "$JD_BUILD"/bench/specs-params/spec-*.yaml)
	awk -v a="${with% *}" -v b="${plain% *}" -v ka="${with#* }" -v kb="${plain#* }" -v m="${mode:-validating}" \
		'BEGIN { printf "render %-14s plain %6.3f s, with parameters %6.3f s: ratio %.3f (target <= 1.20); peak RSS %.1f / %.1f MiB\n", m, b, a, a / b, kb / 1024, ka / 1024 }'
done
