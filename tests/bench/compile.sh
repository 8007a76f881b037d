#!/bin/sh
# jobdoc-compile over 5,000 generated specs (1-3 KB) in one process.
# Target (issue 2): at least 20,000 specs/s, peak RSS under 16 MiB.
. "$JD_TOP/tests/bench/common.sh"
mkdir -p "$JD_BUILD/bench"
bench_specs "$JD_BUILD/bench/specs"
set -- "$JD_BUILD"/bench/specs/spec-*.yaml
n=$#
bytes=$(cat "$@" | wc -c)
echo "specs: $n, $((bytes / n)) bytes on average"
for mode in "--no-validate" ""; do
	r=$(median3 "$BIN/jobdoc-compile" $mode -o /dev/null "$@")
	secs=${r% *}
	kb=${r#* }
	awk -v n="$n" -v s="$secs" -v kb="$kb" -v m="${mode:-validating}" \
		'BEGIN { printf "jobdoc-compile %-14s %6.3f s  %8.0f specs/s  peak RSS %.1f MiB\n", m, s, n / s, kb / 1024 }'
done
r=$(median3 "$BIN/jobdoc-compile" -j1 --no-validate -o /dev/null "$@")
awk -v n="$n" -v s="${r% *}" -v kb="${r#* }" \
	'BEGIN { printf "jobdoc-compile -j1 --no-validate %6.3f s  %8.0f specs/s  peak RSS %.1f MiB\n", s, n / s, kb / 1024 }'
