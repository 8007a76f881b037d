# Sourced by the benchmarks. bench_specs DIR [--params]: 5,000 generated specs
# (made once per build dir). peak CMD...: runs CMD and prints "SECONDS PEAK_KB".
: "${JD_TOP:?}" "${JD_BUILD:?}"
BIN=$JD_BUILD/bin
bench_specs() {
	dir=$1
	shift
	# made again when the generator or its options change
	stamp="$(cksum <"$JD_TOP/tests/bench/gen-specs.py") $*"
	if [ ! -f "$dir/.done" ] || [ "$(cat "$dir/.done")" != "$stamp" ]; then
		rm -rf "$dir"
		/usr/bin/python3 "$JD_TOP/tests/bench/gen-specs.py" "$dir" --count 5000 "$@"
		echo "$stamp" >"$dir/.done"
	fi
}
peak() {
	/usr/bin/time -f '%e %M' -o "$JD_BUILD/bench/.time" "$@" >/dev/null
	cat "$JD_BUILD/bench/.time"
}
# median of three runs of CMD: prints "SECONDS PEAK_KB"
median3() {
	for i in 1 2 3; do peak "$@"; done | sort -n | sed -n 2p
}
