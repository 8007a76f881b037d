#!/bin/sh
# make demo: compiles every sample spec, then runs the release pipeline
# (samples/release-pipeline/pipeline.sh) against a real S3 (Ceph RGW on
# loopback, tests/peers/rgw.sh) and a local AWS IoT Jobs endpoint
# (tests/peers/iot-endpoint.py), both started and stopped here.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
JD_BUILD=${JD_BUILD:-$top/build}
export JD_BUILD PATH="$JD_BUILD/bin:$PATH"
PY=/usr/bin/python3

for spec in "$top"/samples/*.yaml; do
	printf '\n== jobdoc compile samples/%s\n' "$(basename "$spec")"
	jobdoc compile "$spec" | $PY -m json.tool --indent 2
done

printf '\n== the release pipeline: starting a local S3 (Ceph RGW) and a local IoT Jobs endpoint\n'
OUT=$(mktemp -d "${TMPDIR:-/tmp}/jobdoc-demo.XXXXXX")
export OUT JD_RGW_KEY=demo-$$
iot=
cleanup() {
	[ -n "$iot" ] && kill "$iot" 2>/dev/null
	sh "$top/tests/peers/rgw.sh" kill >/dev/null 2>&1 || true
	[ -n "${JD_DEMO_KEEP:-}" ] || rm -rf "$OUT"
}
trap cleanup EXIT INT TERM
sh "$top/tests/peers/rgw.sh" start >"$OUT/rgw.log" 2>&1 || { tail -5 "$OUT/rgw.log"; exit 1; }
eval "$(sh "$top/tests/peers/rgw.sh" env)"
for v in $(env | sed -n 's/^\(AWS_[A-Z0-9_]*\)=.*/\1/p'); do unset "$v"; done
export AWS_ACCESS_KEY_ID="$JD_RGW_ACCESS" AWS_SECRET_ACCESS_KEY="$JD_RGW_SECRET"
export AWS_REGION=us-east-1 AWS_ENDPOINT_URL_S3="$JD_RGW_ENDPOINT" AWS_EC2_METADATA_DISABLED=true
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
export BUCKET=acme-firmware-demo
curl -s -o /dev/null --aws-sigv4 "aws:amz:us-east-1:s3" --user "$JD_RGW_ACCESS:$JD_RGW_SECRET" \
	-H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' -X PUT "$JD_RGW_ENDPOINT/$BUCKET"
$PY "$top/tests/peers/iot-endpoint.py" --port-file "$OUT/iot.port" --lifetime 600 \
	--access-key-id "$JD_RGW_ACCESS" --secret-access-key "$JD_RGW_SECRET" \
	--s3-endpoint "$JD_RGW_ENDPOINT" --s3-access-key-id "$JD_RGW_ACCESS" \
	--s3-secret-access-key "$JD_RGW_SECRET" >/dev/null 2>"$OUT/iot.log" &
iot=$!
i=0
while [ ! -s "$OUT/iot.port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
export AWS_ENDPOINT_URL_IOT="http://127.0.0.1:$(cat "$OUT/iot.port")"
echo "S3: $JD_RGW_ENDPOINT  IoT: $AWS_ENDPOINT_URL_IOT"
sh "$top/samples/release-pipeline/pipeline.sh"
printf '\n== done: the pipeline ran end to end\n'
