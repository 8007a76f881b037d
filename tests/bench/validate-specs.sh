#!/bin/sh
# The job-specific benchmark: 5,000 generated job specs (from samples/).
#  - jobdoc-validate on the YAML specs, one process: the whole pipeline
#    (load with positions, compile, createjob-request, the document's
#    schema, managed-template parameters, AWS rules);
#  - the same specs as JSON against the real job-spec schema: jobdoc-validate
#    --schema job-spec, Blaze (@sourcemeta/jsonschema) and ajv-cli, from npm
#    (installed under build/npm on first use, as validate-peers.sh does).
# Prints wall and CPU seconds, peak RSS, and the ratios peer/jobdoc.
set -e
: "${JD_TOP:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${JD_BUILD:=$JD_TOP/build}"
: "${BENCH_FILES:=5000}"
NPM_DIR=$JD_TOP/build/npm
BLAZE=$NPM_DIR/node_modules/.bin/jsonschema
AJV=$NPM_DIR/node_modules/.bin/ajv
V=$JD_BUILD/bin/jobdoc-validate
WORK=$JD_TOP/build/bench/specs
DATE=2026-11-01T00:00:00Z

die() { echo "validate-specs: $*" >&2; exit 1; }
[ -x "$V" ] || die "$V: build it first (make)"
[ -x /usr/bin/time ] || die "/usr/bin/time is needed (Debian package 'time')"
if [ ! -x "$BLAZE" ] || [ ! -x "$AJV" ]; then
	command -v npm >/dev/null || die "npm is needed for the peers"
	mkdir -p "$NPM_DIR"
	npm install --prefix "$NPM_DIR" --no-audit --no-fund --loglevel=error \
		@sourcemeta/jsonschema ajv-cli >/dev/null || die "npm install failed"
fi
rm -rf "$WORK" && mkdir -p "$WORK/yaml" "$WORK/json"
"$V" --print-schema job-spec >"$WORK/job-spec.json"
python3 - "$JD_TOP/samples" "$WORK" "$BENCH_FILES" <<'PY'
import json, os, random, sys, yaml
samples, work, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
names = ["ota-http", "ota-mqtt", "device-client-update", "managed-reboot"]
base = {k: yaml.safe_load(open(os.path.join(samples, k + ".yaml"))) for k in names}
texts = {k: open(os.path.join(samples, k + ".yaml")).read() for k in names}
rnd = random.Random(7)
for i in range(n):
    k = names[i % len(names)]
    spec = json.loads(json.dumps(base[k]))
    spec["jobId"] = "%s-%05d" % (spec["jobId"][:50], i)
    region, acct = spec["targets"][0].split(":")[3:5]
    spec["targets"] = ["arn:aws:iot:%s:%s:thing/dev-%d" % (region, acct, i * 10 + t)
                       for t in range(1 + rnd.randrange(5))]
    spec["description"] = "release %d.%d.%d" % (rnd.randrange(9), rnd.randrange(9), i)
    with open(os.path.join(work, "json", "spec-%05d.json" % i), "w") as f:
        json.dump(spec, f, indent=2)
    with open(os.path.join(work, "yaml", "spec-%05d.yaml" % i), "w") as f:
        f.write(yaml.safe_dump(spec, sort_keys=False))
PY

measure() { # measure NAME CMD...: "wall rss-KiB cpu" into $WORK/NAME.time
	name=$1
	shift
	/usr/bin/time -f '%e %M %U %S' -o "$WORK/$name.time" "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" ||
		{ tail -n 5 "$WORK/$name.err" >&2; die "$name failed"; }
	read -r secs kib usr sys <"$WORK/$name.time"
	cpu=$(echo "$usr + $sys" | bc -l)
	echo "$secs $kib $cpu" >"$WORK/$name.time"
	printf '  %-24s %8.3f s wall %8.3f s cpu  %7.1f MiB\n' "$name" "$secs" "$cpu" "$(echo "$kib / 1024" | bc -l)"
}
echo "validate-specs: $BENCH_FILES specs"
measure jobdoc-yaml-pipeline "$V" -q --date $DATE "$WORK"/yaml/*.yaml
measure jobdoc-json-job-spec "$V" -q --schema "$WORK/job-spec.json" "$WORK"/json/*.json
measure blaze "$BLAZE" validate "$WORK/job-spec.json" "$WORK/json"
measure ajv-cli "$AJV" validate -s "$WORK/job-spec.json" -d "$WORK/json/*.json" --spec=draft2020 \
	--strict=false --validate-formats=false --errors=line
# one process from spawn to exit, timed by the parent (a shell's $(date)
# around it would add the start of another process to every figure)
best=$(/usr/bin/python3 - "$V" "$WORK/yaml/spec-00000.yaml" $DATE <<'PY'
import os, subprocess, sys, time
v, spec, date = sys.argv[1:4]
argv = [v, "-q", "--date", date, spec]
best = None
with open(os.devnull, "wb") as null:
    for _ in range(20):
        t0 = time.perf_counter()
        subprocess.run(argv, stdout=null, stderr=null)
        us = int((time.perf_counter() - t0) * 1e6)
        best = us if best is None or us < best else best
print(best)
PY
)
t() { cut -d' ' -f1 "$WORK/$1.time"; }
c() { cut -d' ' -f3 "$WORK/$1.time"; }
floor() { echo "if ($1 < 0.01) 0.01 else $1" | bc -l; }
ratio() { printf '%.1fx wall, %.1fx cpu' "$(echo "$(t "$1") / $(floor "$(t "$2")")" | bc -l)" \
	"$(echo "$(c "$1") / $(floor "$(c "$2")")" | bc -l)"; }
echo "ratios (peer / jobdoc, same JSON files, same job-spec schema):"
echo "  blaze / jobdoc:     $(ratio blaze jobdoc-json-job-spec)   (target >= 3x)"
echo "  ajv-cli / jobdoc:   $(ratio ajv-cli jobdoc-json-job-spec)   (target >= 5x)"
echo "  jobdoc peak RSS:    $(echo "scale=1; $(cut -d' ' -f2 "$WORK/jobdoc-yaml-pipeline.time") / 1024" | bc -l) MiB, whole pipeline (target <= 16 MiB)"
echo "  one spec, whole pipeline: $best us wall, best of 20 processes (target <= 3000 us)"
