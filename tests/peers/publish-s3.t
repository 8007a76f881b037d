#!/bin/sh
# A job whose document lives in S3 (documentSource): jobdoc-upload --document
# puts it in RGW, jobdoc-publish creates the job on the local IoT endpoint,
# which reads the object from RGW as AWS does at CreateJob; jobdoc-get reads
# it back. Idempotency compares documentSource.
. "$JD_TOP/tests/lib.sh"
. "$JD_TOP/tests/peers/s3env.sh"
PY=/usr/bin/python3
DATA=$JD_TOP/tests/data/publish

iot_start
doc_of() { "$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["document"])' "$1"; }

t_run "upload the document, get the request with documentSource" 0 \
	jobdoc-upload -q --document "$DATA/ota-http.json" "s3://$BUCKET/jobs/ota-http.json"
cp "$T_TMP/out" "$T_TMP/req.json"
t_out_has "documentSource points at the object" "\"documentSource\":\"$JD_RGW_ENDPOINT/$BUCKET/jobs/ota-http.json\""

t_run "publish" 0 jobdoc-publish "$T_TMP/req.json"
t_out_has "created" '"jobId":"sensor-fw-1-4-2-http"'
t_run "get reads the document the endpoint took from S3" 0 jobdoc-get sensor-fw-1-4-2-http
doc_of "$DATA/ota-http.json" >"$T_TMP/want"
t_same "our document, byte for byte" "$T_TMP/want" "$T_TMP/out"
t_run "describe" 0 jobdoc-get --describe sensor-fw-1-4-2-http
t_out_has "documentSource in DescribeJob" "\"documentSource\":\"$JD_RGW_ENDPOINT/$BUCKET/jobs/ota-http.json\""

t_run "publish again: the same job" 0 jobdoc-publish "$T_TMP/req.json"
t_err_has "says so" "job 'sensor-fw-1-4-2-http' exists with the same document and targets (status IN_PROGRESS)"

t_run "the changed document to another key" 0 jobdoc-upload -q \
	--document "$DATA/ota-http-changed-document.json" "s3://$BUCKET/jobs/ota-http-2.json"
cp "$T_TMP/out" "$T_TMP/req2.json"
t_run "publish it under the same jobId: exit 1" 1 jobdoc-publish "$T_TMP/req2.json"
t_err_has "naming documentSource" "job 'sensor-fw-1-4-2-http' exists with a different documentSource:"

sed -e 's/sensor-fw-1-4-2-http/missing-doc/' -e 's|jobs/ota-http.json|jobs/none.json|' \
	"$T_TMP/req.json" >"$T_TMP/req3.json"
t_run "an object that is not there: exit 5" 5 jobdoc-publish "$T_TMP/req3.json"
t_err_has "AWS's InvalidRequestException" "CreateJob: 400 InvalidRequestException: the documentSource"
t_done
