#!/bin/sh
# The cost of substitution parameters: jobdoc-compile over the 5,000
# generated specs in one process, with literal values, and the same specs
# with their five values as parameters resolved from a -P file
# (gen-specs.py --params); both give the same requests.
# Target (issue 4): rendering adds at most 20% (ratio <= 1.20), as compiled
# by default (validating, a thread per CPU); also on one thread (-j1, where
# the CPU time is not inflated by two threads sharing a core) and without
# validation. Also shown: the parameter specs compiled with --no-render,
# i.e. the cost of resolving alone on the same input.
. "$JD_TOP/tests/bench/common.sh"
mkdir -p "$JD_BUILD/bench"
bench_specs "$JD_BUILD/bench/specs"
bench_specs "$JD_BUILD/bench/specs-params" --params
P=$JD_BUILD/bench/specs-params/params.json
uses=$(cat "$JD_BUILD"/bench/specs-params/spec-*.yaml | grep -o '\${aws:iot:parameter:' | wc -l)
echo "render: 5,000 specs; with parameters: $uses placeholders, $(grep -o '"p[0-9]*_[a-z]*": ' "$P" | wc -l) values in the -P file"
# cpu3 MODE: the CPU seconds (user + system of the child, from wait4) of
# jobdoc-compile MODE over the plain specs, the parameter specs with
# --no-render, and the parameter specs rendered: the median of seven runs
# each, the three taken in turn so that a change in the machine's load
# falls on all of them
cpu3() {
	/usr/bin/python3 - "$BIN/jobdoc-compile" "$P" "$JD_BUILD/bench" "$@" <<'PY'
import glob, os, statistics, sys
exe, params, bench, mode = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
plain = sorted(glob.glob(bench + "/specs/spec-*.yaml"))
withp = sorted(glob.glob(bench + "/specs-params/spec-*.yaml"))
cmds = [[exe] + mode + ["-o", "/dev/null"] + plain,
        [exe] + mode + ["--no-render", "-o", "/dev/null"] + withp,
        [exe] + mode + ["-P", params, "-o", "/dev/null"] + withp]
runs = [[], [], []]
for _ in range(7):
    for i, c in enumerate(cmds):
        with open(os.devnull, "wb") as null:
            pid = os.fork()
            if pid == 0:
                os.dup2(null.fileno(), 1)
                os.dup2(null.fileno(), 2)
                os.execv(c[0], c)
            _, status, ru = os.wait4(pid, 0)
        runs[i].append(ru.ru_utime + ru.ru_stime)
print(" ".join("%.3f" % statistics.median(r) for r in runs))
PY
}
# the two trees are the same specs: rendering must give the literal specs'
# requests, byte for byte, or the comparison means nothing
"$BIN/jobdoc-compile" --no-validate -o "$JD_BUILD/bench/.plain.json" "$JD_BUILD"/bench/specs/spec-*.yaml
"$BIN/jobdoc-compile" --no-validate -P "$P" -o "$JD_BUILD/bench/.rendered.json" "$JD_BUILD"/bench/specs-params/spec-*.yaml
if ! cmp -s "$JD_BUILD/bench/.plain.json" "$JD_BUILD/bench/.rendered.json"; then
	echo "render: the rendered requests differ from the literal specs' requests (see gen-specs.py)" >&2
	exit 1
fi
for mode in "" "-j1" "--no-validate"; do
	set -- $(cpu3 $mode)
	awk -v b="$1" -v k="$2" -v a="$3" -v m="${mode:-validating}" 'BEGIN {
		if (m == "-j1") m = "validating -j1"
		printf "render %-15s CPU: plain %.3f s, parameter specs --no-render %.3f s, rendered %.3f s: ratio %.2f to plain (target <= 1.20), %.2f to --no-render\n", m, b, k, a, a / b, a / k }'
done
