#!/bin/sh
# A release pipeline with jobdoc, step by step:
#   build -> sign -> upload -> compile -> verify -> document to S3 -> publish -> read back
#
# Needs: the jobdoc tools on PATH, AWS credentials and endpoints in the
# environment (AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL_IOT for non-AWS peers),
# BUCKET, and OUT (a work directory). `make demo` runs it against a local
# Ceph RGW and a local IoT Jobs endpoint (samples/demo.sh).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
: "${BUCKET:?}" "${OUT:?}"
VERSION=${VERSION:-1.4.2}
RELEASE=$(echo "$VERSION" | tr . -)
step() { printf '\n== %s\n' "$*"; }
run() { printf '$ %s\n' "$*" >&2; "$@"; }

step "1. build the firmware (a dummy image here)"
run sh -c "head -c 262144 /dev/urandom > '$OUT/sensor-$VERSION.bin'"

step "2. sign it (ECDSA P-256, DER, as FreeRTOS OTA verifies)"
cp "$here/../keys/TEST-ONLY-signer.key" "$OUT/signer.key" && chmod 600 "$OUT/signer.key"
run jobdoc-sign -k "$OUT/signer.key" --cert "$here/../keys/TEST-ONLY-signer.crt" \
	--prefix fw_ "$OUT/sensor-$VERSION.bin" -o "$OUT/sign.json"
cat "$OUT/sign.json"

step "3. upload it to S3"
run jobdoc-upload -q --prefix s3_ "$OUT/sensor-$VERSION.bin" \
	"s3://$BUCKET/sensor/sensor-$VERSION.bin" >"$OUT/s3.json"
cat "$OUT/s3.json"

step "4. compile the job spec with the signing and upload values"
run jobdoc-compile -P "$OUT/sign.json" -P "$OUT/s3.json" -p "version=$VERSION" \
	-p "release=$RELEASE" "$here/job.yaml" -o "$OUT/createjob.json"
/usr/bin/python3 -m json.tool "$OUT/createjob.json"

step "5. verify the request against the artifact before anything is published"
run jobdoc-verify --request "$OUT/createjob.json" --artifact "0=$OUT/sensor-$VERSION.bin" \
	--cert-dir "$here/../keys"

step "6. move the job document to S3: the request uses documentSource"
run jobdoc-upload -q --document "$OUT/createjob.json" \
	"s3://$BUCKET/jobs/sensor-fw-$RELEASE.json" >"$OUT/createjob-s3.json"
/usr/bin/python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print("documentSource:", r["documentSource"])' "$OUT/createjob-s3.json"

step "7. publish (CreateJob, SigV4); a re-run finds the same job and succeeds"
run jobdoc-publish "$OUT/createjob-s3.json"
run jobdoc-publish "$OUT/createjob-s3.json"

step "8. read the document back (GetJobDocument)"
run jobdoc-get "sensor-fw-$RELEASE" >"$OUT/got.json"
cat "$OUT/got.json"
/usr/bin/python3 - "$OUT/createjob.json" "$OUT/got.json" <<'P'
import json, sys
want = json.loads(json.load(open(sys.argv[1]))["document"])
got = json.load(open(sys.argv[2]))
assert got == want, "the document read back differs"
print("the document AWS IoT holds is the one we compiled and verified")
P
