# Sourced by the benchmarks. bench_specs DIR [--params]: 5,000 generated specs
# (made once per build dir). peak CMD...: runs CMD and prints "SECONDS PEAK_KB".
# bench_npm_peers: Blaze and ajv-cli from npm, under build/npm ($BLAZE, $AJV).
# bench_ratio PEER OURS: "Nx wall, Nx cpu" from $WORK/NAME.time ("wall kib cpu").
# bench_best_us CMD...: the best of 20 runs of one process, in microseconds.
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

bench_npm_peers() {
	NPM_DIR=$JD_TOP/build/npm
	BLAZE=$NPM_DIR/node_modules/.bin/jsonschema
	AJV=$NPM_DIR/node_modules/.bin/ajv
	[ -x "$BLAZE" ] && [ -x "$AJV" ] && return 0
	command -v npm >/dev/null || { echo "bench: npm is needed for the peers (Debian package 'npm')" >&2; exit 1; }
	mkdir -p "$NPM_DIR"
	npm install --prefix "$NPM_DIR" --no-audit --no-fund --loglevel=error \
		@sourcemeta/jsonschema ajv-cli >/dev/null || { echo "bench: npm install failed" >&2; exit 1; }
}
# a 0.00 s measurement would divide by zero: it counts as 0.01 s
bench_ratio() {
	awk -v p="$(cat "$WORK/$1.time")" -v o="$(cat "$WORK/$2.time")" 'BEGIN {
		split(p, a, " "); split(o, b, " ")
		printf "%.1fx wall, %.1fx cpu", a[1] / (b[1] < 0.01 ? 0.01 : b[1]), a[3] / (b[3] < 0.01 ? 0.01 : b[3])
	}'
}
# one process from spawn to exit, timed by the parent (a shell's $(date)
# around it would add the start of another process to every figure)
bench_best_us() {
	/usr/bin/python3 - "$@" <<'PY'
import os, subprocess, sys, time
best = None
with open(os.devnull, "wb") as null:
    for _ in range(20):
        t0 = time.perf_counter()
        subprocess.run(sys.argv[1:], stdout=null, stderr=null)
        us = int((time.perf_counter() - t0) * 1e6)
        best = us if best is None or us < best else best
print(best)
PY
}
