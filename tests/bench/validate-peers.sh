#!/bin/sh
# Validation speed against the peers: jobdoc's validator (one process,
# tests/helpers/jsonschema-bench.c), Blaze (@sourcemeta/jsonschema CLI) and
# ajv-cli, all from npm, installed under build/npm on first use.
#
#   tests/bench/validate-peers.sh [SCHEMA DIR]
#
# SCHEMA is a JSON Schema (draft 2020-12 unless it says otherwise), DIR a
# folder of JSON instances. Without arguments, a job-spec-like schema and
# $BENCH_FILES (5000) generated instances are used (build/bench/validate/).
# Prints each tool's wall time and peak RSS, and the ratios peer/jobdoc.
set -e
: "${JD_TOP:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${JD_BUILD:=$JD_TOP/build}"
: "${BENCH_FILES:=5000}"
. "$JD_TOP/tests/bench/common.sh"
OURS=$JD_BUILD/tests/helpers/jsonschema-bench
WORK=$JD_TOP/build/bench/validate
DIALECT=https://json-schema.org/draft/2020-12/schema

die() { echo "validate-peers: $*" >&2; exit 1; }

command -v python3 >/dev/null || die "python3 is needed to generate instances"
[ -x /usr/bin/time ] || die "/usr/bin/time is needed (Debian package 'time')"
if [ ! -x "$OURS" ]; then
	make --no-print-directory -C "$JD_TOP" BUILD="$JD_BUILD" "$OURS" >/dev/null ||
		die "cannot build $OURS"
fi
bench_npm_peers

mkdir -p "$WORK"
if [ $# -ge 2 ]; then
	SCHEMA=$1
	DATA=$2
else
	SCHEMA=$WORK/schema.json
	DATA=$WORK/instances
	rm -rf "$DATA"
	python3 - "$SCHEMA" "$DATA" "$BENCH_FILES" <<'PY'
import json, os, random, sys
schema_path, data, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
schema = {
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "$id": "https://jobdoc.invalid/bench/job-spec.json",
  "type": "object",
  "required": ["jobId", "targets", "document"],
  "additionalProperties": False,
  "properties": {
    "jobId": {"type": "string", "minLength": 1, "maxLength": 64, "pattern": "^[a-zA-Z0-9_-]+$"},
    "targets": {"type": "array", "minItems": 1, "maxItems": 100, "uniqueItems": True,
                "items": {"type": "string", "maxLength": 2048,
                          "pattern": "^arn:aws:iot:[a-z0-9-]+:[0-9]{12}:(thing|thinggroup)/[a-zA-Z0-9:_-]+$"}},
    "description": {"type": "string", "maxLength": 2028},
    "targetSelection": {"enum": ["CONTINUOUS", "SNAPSHOT"]},
    "jobExecutionsRolloutConfig": {"type": "object", "additionalProperties": False, "properties": {
        "maximumPerMinute": {"type": "integer", "minimum": 1, "maximum": 1000}}},
    "timeoutConfig": {"type": "object", "additionalProperties": False, "properties": {
        "inProgressTimeoutInMinutes": {"type": "integer", "minimum": 1, "maximum": 10080}}},
    "tags": {"type": "array", "maxItems": 50, "items": {"$ref": "#/$defs/tag"}},
    "document": {"$ref": "#/$defs/document"}
  },
  "$defs": {
    "tag": {"type": "object", "required": ["Key", "Value"], "additionalProperties": False,
            "properties": {"Key": {"type": "string", "minLength": 1, "maxLength": 128},
                           "Value": {"type": "string", "maxLength": 256}}},
    "document": {"type": "object", "required": ["afr_ota"], "properties": {"afr_ota": {
        "type": "object", "required": ["protocols", "files"], "properties": {
            "protocols": {"type": "array", "items": {"enum": ["MQTT", "HTTP"]}, "minItems": 1},
            "streamname": {"type": "string"},
            "files": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/file"}}}}}},
    "file": {"type": "object", "required": ["filepath", "filesize", "fileid", "certfile"],
             "properties": {
               "filepath": {"type": "string"}, "filesize": {"type": "integer", "minimum": 0},
               "fileid": {"type": "integer", "minimum": 0, "maximum": 255},
               "certfile": {"type": "string"},
               "sig-sha256-ecdsa": {"type": "string", "pattern": "^[A-Za-z0-9+/=]+$"},
               "update_data_url": {"type": "string"}}}
  }
}
os.makedirs(data, exist_ok=True)
with open(schema_path, "w") as f:
    json.dump(schema, f, indent=1)
rnd = random.Random(42)
for i in range(n):
    spec = {
      "jobId": "job-%06d" % i,
      "targets": ["arn:aws:iot:eu-west-1:123456789012:thing/device-%d" % (i * 10 + k)
                  for k in range(1 + rnd.randrange(5))],
      "description": "firmware %d.%d.%d for fleet %d" % (rnd.randrange(9), rnd.randrange(9), i, i % 17),
      "targetSelection": rnd.choice(["CONTINUOUS", "SNAPSHOT"]),
      "jobExecutionsRolloutConfig": {"maximumPerMinute": 1 + rnd.randrange(1000)},
      "timeoutConfig": {"inProgressTimeoutInMinutes": 1 + rnd.randrange(10080)},
      "tags": [{"Key": "team", "Value": "fw"}, {"Key": "build", "Value": str(i)}],
      "document": {"afr_ota": {"protocols": ["MQTT"], "streamname": "AFR_OTA-%d" % i,
          "files": [{"filepath": "/ota/image.bin", "filesize": 100000 + rnd.randrange(900000),
                     "fileid": 0, "certfile": "code_sign.crt",
                     "sig-sha256-ecdsa": "MEUCIQ" + "ABCDabcd0123+/"[rnd.randrange(14)] * 60 + "=="}]}},
    }
    with open(os.path.join(data, "spec-%05d.json" % i), "w") as f:
        json.dump(spec, f, indent=2)
PY
fi
[ -f "$SCHEMA" ] || die "$SCHEMA: no such schema"
[ -d "$DATA" ] || die "$DATA: no such folder"
NFILES=$(find "$DATA" -maxdepth 1 -name '*.json' | wc -l)

# measure NAME CMD...: "wall-seconds peak-RSS-KiB cpu-seconds" into $WORK/NAME.time
# (CPU = user + sys: on a busy machine it is steadier than wall time)
measure() {
	name=$1
	shift
	/usr/bin/time -f '%e %M %U %S' -o "$WORK/$name.time" "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" || {
		st=$?
		# exit 1 = some instance invalid: still a measurement
		[ "$st" -eq 1 ] || { tail -n 5 "$WORK/$name.err" >&2; die "$name failed (exit $st)"; }
	}
	read -r secs kib usr sys <"$WORK/$name.time"
	cpu=$(echo "$usr + $sys" | bc -l)
	echo "$secs $kib $cpu" >"$WORK/$name.time"
	printf '  %-18s %8.3f s wall %8.3f s cpu  %7.1f MiB\n' "$name" "$secs" "$cpu" \
		"$(echo "$kib / 1024" | bc -l)"
}

echo "validate-peers: $NFILES instances of $(basename "$DATA") against $(basename "$SCHEMA")"
measure jobdoc "$OURS" "$SCHEMA" "$DATA"
measure jobdoc-check "$OURS" --check "$SCHEMA" "$DATA"
measure blaze "$BLAZE" validate -d "$DIALECT" "$SCHEMA" "$DATA"
measure blaze-fast "$BLAZE" validate --fast -d "$DIALECT" "$SCHEMA" "$DATA"
measure ajv-cli "$AJV" validate -s "$SCHEMA" -d "$DATA/*.json" --spec=draft2020 --strict=false \
	--validate-formats=false --errors=line
# one file, whole process
ONE=$WORK/one
rm -rf "$ONE" && mkdir -p "$ONE"
cp "$(find "$DATA" -maxdepth 1 -name '*.json' | sort | head -n 1)" "$ONE/"
measure jobdoc-one-file "$OURS" "$SCHEMA" "$ONE"
# one process, spawn to exit: the best of 20 runs, in microseconds
best=$(bench_best_us "$OURS" "$SCHEMA" "$ONE")

echo "ratios (peer time / jobdoc time, higher is better for jobdoc; one thread, the library alone; issue 3 measures the job specs in validate-specs.sh):"
echo "  blaze / jobdoc:                $(bench_ratio blaze jobdoc)"
echo "  blaze --fast / jobdoc --check: $(bench_ratio blaze-fast jobdoc-check)"
echo "  ajv-cli / jobdoc:              $(bench_ratio ajv-cli jobdoc)"
echo "  jobdoc peak RSS:               $(echo "scale=1; $(cut -d' ' -f2 "$WORK/jobdoc.time") / 1024" | bc -l) MiB (target <= 16 MiB)"
echo "  jobdoc one file:               $best us wall, best of 20 processes (target <= 3000 us)"
grep -h '^files' "$WORK/jobdoc.out" | sed 's/^/  jobdoc: /'
