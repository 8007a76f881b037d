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
. "$JD_TOP/tests/bench/common.sh"
: "${BENCH_FILES:=5000}"
V=$JD_BUILD/bin/jobdoc-validate
WORK=$JD_TOP/build/bench/specs
DATE=2026-11-01T00:00:00Z

die() { echo "validate-specs: $*" >&2; exit 1; }
[ -x "$V" ] || die "$V: build it first (make)"
[ -x /usr/bin/time ] || die "/usr/bin/time is needed (Debian package 'time')"
bench_npm_peers
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
best=$(bench_best_us "$V" -q --date $DATE "$WORK/yaml/spec-00000.yaml")
echo "ratios (peer / jobdoc, same JSON files, same job-spec schema):"
echo "  blaze / jobdoc:     $(bench_ratio blaze jobdoc-json-job-spec)   (target >= 3x)"
echo "  ajv-cli / jobdoc:   $(bench_ratio ajv-cli jobdoc-json-job-spec)   (target >= 5x)"
echo "  jobdoc peak RSS:    $(echo "scale=1; $(cut -d' ' -f2 "$WORK/jobdoc-yaml-pipeline.time") / 1024" | bc -l) MiB, whole pipeline (target <= 16 MiB)"
echo "  one spec, whole pipeline: $best us wall, best of 20 processes (target <= 3000 us)"
