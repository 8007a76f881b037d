#!/bin/sh
# The whole release pipeline end to end (samples/release-pipeline/pipeline.sh):
# sign -> upload -> compile -> verify -> document to S3 -> publish -> get,
# against Ceph RGW and the local IoT Jobs endpoint; then a changed document
# under the same jobId is refused, naming the change.
. "$JD_TOP/tests/lib.sh"
. "$JD_TOP/tests/peers/s3env.sh"
PY=/usr/bin/python3
iot_start
export AWS_ENDPOINT_URL_S3="$JD_RGW_ENDPOINT" BUCKET
mkdir -p "$T_TMP/work"
export OUT="$T_TMP/work"

t_run "the pipeline runs end to end" 0 sh "$JD_TOP/samples/release-pipeline/pipeline.sh"
t_out_has "the document read back is the compiled one" "the document AWS IoT holds is the one we compiled and verified"
t_err_has "the second publish found the same job" "exists with the same document and targets"
for f in sign.json s3.json createjob.json createjob-s3.json got.json; do
	[ -s "$OUT/$f" ]
	t_ok $? "step output $f"
done
$PY - "$OUT/createjob.json" "$OUT/sign.json" <<'P'
import json, sys
req = json.load(open(sys.argv[1])); sig = json.load(open(sys.argv[2]))
f = json.loads(req["document"])["afr_ota"]["files"][0]
assert f["filesize"] == sig["fw_size"] and isinstance(f["filesize"], int)
assert f["sig-sha256-ecdsa"] == sig["fw_signature"]
P
t_ok $? "the compiled document has the signer's numeric size and its exact signature"

# the same jobId with another image: publish refuses and names the change
t_run "a changed firmware under the same jobId is refused" 1 sh "$JD_TOP/samples/release-pipeline/pipeline.sh"
t_err_has "naming what differs" "job 'sensor-fw-1-4-2' exists with a different"
t_done
