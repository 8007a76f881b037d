#!/bin/sh
# jobdoc-publish and jobdoc-get against the local IoT Jobs endpoint
# (tests/peers/iot-endpoint.py), whose signature and body checks are
# botocore's own; and --dry-run output checked by botocore's signer and
# serializer. Debian's python3-botocore: /usr/bin/python3, whatever PATH says.
. "$JD_TOP/tests/lib.sh"
PY=/usr/bin/python3
PEERS=$JD_TOP/tests/peers
DATA=$JD_TOP/tests/data/publish
SECRET='wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY'
TOKEN='IQoJb3JpZ2luX2VjEXAMPLE//////////wEaCXVzLWVhc3QtMSJHMEUCIQDtestTOKEN+/='
DATE=2026-01-01T00:00:00Z

# Only what the test sets: no profile, no files, no IMDS.
unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_SESSION_TOKEN AWS_DEFAULT_REGION \
	AWS_ENDPOINT_URL AWS_ENDPOINT_URL_IOT AWS_CA_BUNDLE
export AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY="$SECRET" AWS_REGION=eu-west-1 \
	AWS_SHARED_CREDENTIALS_FILE="$T_TMP/none" AWS_CONFIG_FILE="$T_TMP/none" \
	AWS_EC2_METADATA_DISABLED=true

# fixture_start NAME ARGS...: starts the endpoint, sets NAME_PID and NAME_URL
PIDS=
fixture_start() {
	n=$1
	shift
	rm -f "$T_TMP/$n.port"
	"$PY" "$PEERS/iot-endpoint.py" --port-file "$T_TMP/$n.port" --lifetime 300 "$@" \
		>"$T_TMP/$n.out" 2>"$T_TMP/$n.log" &
	pid=$!
	PIDS="$PIDS $pid"
	i=0
	while [ ! -s "$T_TMP/$n.port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	[ -s "$T_TMP/$n.port" ] || { echo "Bail out! the endpoint did not start"; cat "$T_TMP/$n.log"; exit 1; }
	eval "${n}_PID=$pid ${n}_URL=http://127.0.0.1:$(cat "$T_TMP/$n.port")"
}
trap 'for p in $PIDS; do kill "$p" 2>/dev/null; done; t_cleanup' EXIT

# ctl URL PATH [JSON]: the fixture's control endpoint
ctl() {
	"$PY" - "$@" <<-'EOF'
	import sys, urllib.request
	url, path = sys.argv[1], sys.argv[2]
	data = sys.argv[3].encode() if len(sys.argv) > 3 else None
	try:
	    print(urllib.request.urlopen(urllib.request.Request(url + path, data=data)).read().decode())
	except urllib.error.HTTPError as e:
	    sys.exit("ctl %s%s: %s %s" % (url, path, e.code, e.read().decode()))
	EOF
}
# count URL METHOD-REGEX: how many API requests the fixture saw matching
count() {
	ctl "$1" /_fixture/log | "$PY" -c '
import json, re, sys
print(sum(1 for r in json.load(sys.stdin)["requests"] if re.search(sys.argv[1], r["method"] + " " + r["path"])))' "$2"
}
jobs() { ctl "$1" /_fixture/jobs | "$PY" -c 'import json,sys; print(len(json.load(sys.stdin)["jobs"]))'; }

# bcheck WANT NAME ARGS...: a botocore-check.py check, queued; bcheck_run runs
# the queue in one python process (botocore is slow to import) and reports.
: >"$T_TMP/checks"
bcheck() {
	w=$1 n=$2
	shift 2
	printf '%s\t%s' "$w" "$n" >>"$T_TMP/checks"
	printf '\t%s' "$@" >>"$T_TMP/checks"
	printf '\n' >>"$T_TMP/checks"
}
bcheck_run() {
	cut -f2- "$T_TMP/checks" | "$PY" "$PEERS/botocore-check.py" many >"$T_TMP/results"
	cut -f1 "$T_TMP/checks" >"$T_TMP/wants"
	grep '^#' "$T_TMP/results" >"$T_TMP/diag"
	grep -v '^#' "$T_TMP/results" | paste "$T_TMP/wants" - | while IFS='	' read -r w rc n; do
		[ "$w" = "$rc" ]
		t_ok $? "$n"
		[ "$w" = "$rc" ] || { echo "#   exit $rc, want $w"; grep -F "$n" "$T_TMP/diag" | head -3; }
	done >"$T_TMP/tap"
	# the loop ran in a subshell: count its results here
	cat "$T_TMP/tap"
	T_N=$((T_N + $(grep -c '^ok\|^not ok' "$T_TMP/tap")))
	T_FAIL=$((T_FAIL + $(grep -c '^not ok' "$T_TMP/tap")))
	: >"$T_TMP/checks"
}

# --- 1. --dry-run against botocore -------------------------------------------
for req in ota-http minimal maintenance-windows; do
	t_run "dry-run $req" 0 jobdoc-publish --dry-run --date $DATE "$DATA/$req.json"
	cp "$T_TMP/out" "$T_TMP/$req.http"
	[ $req = maintenance-windows ] && {
		t_out_has "request line" "PUT /jobs/maint-1 HTTP/1.1"
		t_out_has "signing name iot, region from the environment" "/20260101/eu-west-1/iot/aws4_request"
		t_out_has "content type" "Content-Type: application/json"
	}
	bcheck 0 "botocore's SigV4Auth computes the same Authorization ($req)" \
		sign "$T_TMP/$req.http" --secret "$SECRET"
	bcheck 0 "botocore's serializer makes the same request ($req)" \
		serialize "$T_TMP/$req.http" "$DATA/$req.json"
	if grep -qF "$SECRET" "$T_TMP/$req.http"; then t_ok 1 "no secret in the dry run ($req)"; else
		t_ok 0 "no secret in the dry run ($req)"; fi
done

t_run "dry-run with a session token" 0 env AWS_SESSION_TOKEN="$TOKEN" \
	jobdoc-publish --dry-run --date $DATE "$DATA/ota-http.json"
cp "$T_TMP/out" "$T_TMP/token.http"
t_out_has "the token is signed, but not shown" "X-Amz-Security-Token: REDACTED"
if grep -qF "$TOKEN" "$T_TMP/token.http"; then t_ok 1 "no session token in the dry run"; else
	t_ok 0 "no session token in the dry run"; fi
bcheck 1 "botocore disagrees with another token (the check can fail)" \
	sign "$T_TMP/token.http" --secret "$SECRET" --token "x$TOKEN"
bcheck 0 "botocore's SigV4Auth agrees with a session token" \
	sign "$T_TMP/token.http" --secret "$SECRET" --token "$TOKEN"
bcheck 1 "a changed secret gives another signature (the check can fail)" \
	sign "$T_TMP/token.http" --secret "x$SECRET" --token "$TOKEN"

t_run "dry-run --signing-name execute-api --region us-west-2" 0 jobdoc-publish --dry-run \
	--date $DATE --signing-name execute-api --region us-west-2 "$DATA/minimal.json"
t_out_has "scope follows the options" "/20260101/us-west-2/execute-api/aws4_request"
t_out_has "default endpoint for the region" "Host: iot.us-west-2.amazonaws.com"
cp "$T_TMP/out" "$T_TMP/exec.http"
bcheck 0 "botocore agrees for execute-api" sign "$T_TMP/exec.http" --secret "$SECRET"

t_run "dry-run is reproducible" 0 jobdoc-publish --dry-run --date $DATE "$DATA/ota-http.json"
t_same "same bytes for the same date" "$T_TMP/ota-http.http" "$T_TMP/out"

t_run "get --dry-run --before-substitution" 0 jobdoc-get --dry-run --date $DATE \
	--before-substitution sensor-fw-1-4-2-http
t_out_has "GetJobDocument request line" \
	"GET /jobs/sensor-fw-1-4-2-http/job-document?beforeSubstitution=true HTTP/1.1"
cp "$T_TMP/out" "$T_TMP/get.http"
bcheck 0 "botocore agrees for GetJobDocument" sign "$T_TMP/get.http" --secret "$SECRET"
bcheck_run

# --- 2. against the endpoint -------------------------------------------------
fixture_start A
export AWS_ENDPOINT_URL_IOT=$A_URL

t_run "publish" 0 jobdoc-publish "$DATA/ota-http.json"
t_out_has "prints the job's ARN" \
	'{"jobArn":"arn:aws:iot:eu-west-1:123456789012:job/sensor-fw-1-4-2-http","jobId":"sensor-fw-1-4-2-http","description":"Sensor firmware 1.4.2 over HTTP, fleet A"}'
t_run "get returns our document" 0 jobdoc-get sensor-fw-1-4-2-http
"$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["document"])' "$DATA/ota-http.json" >"$T_TMP/want"
t_same "the document, byte for byte" "$T_TMP/want" "$T_TMP/out"
t_run "get --before-substitution" 0 jobdoc-get --before-substitution sensor-fw-1-4-2-http
t_same "the document before substitution" "$T_TMP/want" "$T_TMP/out"
t_run "get --describe" 0 jobdoc-get --describe sensor-fw-1-4-2-http
t_out_has "DescribeJob's job" '"targetSelection":"CONTINUOUS"'

t_run "publish the same request again" 0 jobdoc-publish "$DATA/ota-http.json"
t_err_has "says the job existed" "job 'sensor-fw-1-4-2-http' exists with the same document and targets (status IN_PROGRESS)"
t_out_has "prints the existing job" '"jobArn":"arn:aws:iot:eu-west-1:123456789012:job/sensor-fw-1-4-2-http"'
t_ok "$([ "$(jobs "$A_URL")" = 1 ] && echo 0 || echo 1)" "no second job"
t_ok "$([ "$(count "$A_URL" '^PUT /jobs/sensor-fw-1-4-2-http$')" = 2 ] && echo 0 || echo 1)" \
	"two CreateJob requests were made"

t_run "a changed document exits 1" 1 jobdoc-publish "$DATA/ota-http-changed-document.json"
t_err_has "naming the change" \
	"jobdoc-publish: job 'sensor-fw-1-4-2-http' exists with a different document: /afr_ota/files/0/filesize: 1024 != 1025"
t_run "changed targets exit 1 (409, different job)" 1 jobdoc-publish "$DATA/ota-http-changed-targets.json"
t_err_has "naming the targets" "job 'sensor-fw-1-4-2-http' exists with a different targets:"

t_run "the scheduled job with maintenance windows" 0 jobdoc-publish "$DATA/maintenance-windows.json"
t_run "and again" 0 jobdoc-publish "$DATA/maintenance-windows.json"
t_err_has "existing equal job, scheduled" "exists with the same document and targets (status SCHEDULED)"

ctl "$A_URL" /_fixture/status '{"jobId":"maint-1","status":"DELETION_IN_PROGRESS"}' >/dev/null
t_run "the same job, being deleted: exit 1" 1 jobdoc-publish "$DATA/maintenance-windows.json"
t_err_has "says why" "job 'maint-1' exists and is being deleted (DELETION_IN_PROGRESS)"

# a spec is compiled on the way: the same request as jobdoc-compile makes
t_run "compile a sample spec" 0 jobdoc-compile "$JD_TOP/samples/ota-mqtt.yaml"
cp "$T_TMP/out" "$T_TMP/spec.json"
t_run "publish the spec itself" 0 jobdoc-publish "$JD_TOP/samples/ota-mqtt.yaml"
spec_id=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["jobId"])' "$T_TMP/spec.json")
t_out_has "the spec's job" "\"jobId\":\"$spec_id\""
t_run "publishing the compiled request finds the same job" 0 jobdoc-publish "$T_TMP/spec.json"
t_err_has "same" "job '$spec_id' exists with the same document and targets"
t_run "get the spec's document" 0 jobdoc-get "$spec_id"
"$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["document"])' "$T_TMP/spec.json" >"$T_TMP/want"
t_same "the compiled document" "$T_TMP/want" "$T_TMP/out"

# --- 3. AWS errors -------------------------------------------------------------
ctl "$A_URL" /_fixture/fail '{"status":400,"type":"InvalidRequestException","count":1,"message":"presignedUrlConfig role ARN is required"}' >/dev/null
t_run "400 InvalidRequestException: exit 5" 5 jobdoc-publish "$DATA/minimal.json"
t_err_has "with AWS's code and message" \
	"jobdoc-publish: CreateJob: 400 InvalidRequestException: presignedUrlConfig role ARN is required"

t_run "403 bad signature: exit 5" 5 env AWS_SECRET_ACCESS_KEY=not-the-secret jobdoc-publish "$DATA/minimal.json"
t_err_has "InvalidSignatureException" \
	"CreateJob: 403 InvalidSignatureException: The request signature we calculated does not match"
if grep -qF not-the-secret "$T_TMP/err"; then t_ok 1 "no secret in the error"; else t_ok 0 "no secret in the error"; fi
t_run "403 for the wrong signing name" 5 jobdoc-publish --signing-name execute-api "$DATA/minimal.json"
t_err_has "the service's words" "Credential should be scoped to correct service: 'iot'."

t_run "404 on get: exit 5" 5 jobdoc-get no-such-job
t_err_has "ResourceNotFoundException" "jobdoc-get: GetJobDocument: 404 ResourceNotFoundException: Job no-such-job can't be found."
t_run "404 on describe" 5 jobdoc-get --describe no-such-job
t_err_has "DescribeJob 404" "DescribeJob: 404 ResourceNotFoundException"

before=$(count "$A_URL" '^PUT /jobs/reboot-1$')
ctl "$A_URL" /_fixture/fail '{"status":429,"type":"ThrottlingException","count":2,"match":"^PUT "}' >/dev/null
t_run "429 twice, then success" 0 jobdoc-publish "$DATA/minimal.json"
t_out_has "created" '"jobId":"reboot-1"'
t_ok "$([ "$(count "$A_URL" '^PUT /jobs/reboot-1$')" = $((before + 3)) ] && echo 0 || echo 1)" \
	"three attempts: 429, 429, 200"

ctl "$A_URL" /_fixture/fail '{"status":400,"type":"ThrottlingException","count":1,"match":"^GET "}' >/dev/null
t_run "400 ThrottlingException (the model's status) then success" 0 jobdoc-get reboot-1

ctl "$A_URL" /_fixture/fail '{"status":503,"type":"ServiceUnavailableException","count":2}' >/dev/null
t_run "503 twice, then success" 0 jobdoc-get --describe reboot-1

ctl "$A_URL" /_fixture/fail '{"status":503,"type":"ServiceUnavailableException","count":-1}' >/dev/null
before=$(count "$A_URL" '^GET /jobs/reboot-1/job-document')
t_run "503 forever: exit 5" 5 env AWS_MAX_ATTEMPTS=3 jobdoc-get reboot-1
t_err_has "after the retries, AWS's code" "jobdoc-get: GetJobDocument: 503 ServiceUnavailableException: Service Unavailable"
t_ok "$([ "$(count "$A_URL" '^GET /jobs/reboot-1/job-document')" = $((before + 3)) ] && echo 0 || echo 1)" \
	"AWS_MAX_ATTEMPTS=3 attempts, then no more"
ctl "$A_URL" /_fixture/reset {} >/dev/null

t_run "a network failure: exit 5" 5 env AWS_MAX_ATTEMPTS=2 jobdoc-get --endpoint http://127.0.0.1:9 reboot-1
t_err_has "names the operation" "jobdoc-get: GetJobDocument: "

# --- 4. with a session token ---------------------------------------------------
fixture_start B --session-token "$TOKEN"
t_run "publish with a session token" 0 env AWS_SESSION_TOKEN="$TOKEN" \
	jobdoc-publish --endpoint "$B_URL" "$DATA/minimal.json"
t_run "publish --verbose with a session token" 0 env AWS_SESSION_TOKEN="$TOKEN" \
	jobdoc-publish --verbose --endpoint "$B_URL" "$DATA/minimal.json"
t_err_has "says what happened" "CreateJob: 409 ResourceAlreadyExistsException after 1 attempt"
t_err_has "and that it compared" "job 'reboot-1' exists; reading it back to compare"
if grep -qF -e "$TOKEN" -e "$SECRET" "$T_TMP/err"; then t_ok 1 "no token or secret in --verbose"; else
	t_ok 0 "no token or secret in --verbose"; fi
t_run "without the token the endpoint refuses" 5 jobdoc-publish --endpoint "$B_URL" "$DATA/minimal.json"
t_err_has "UnrecognizedClientException" "403 UnrecognizedClientException"

# --- 5. the AWS CLI as the other client ----------------------------------------
# Debian's awscli 2.9.19 bundles a model that signs iot as execute-api.
fixture_start C --service execute-api
t_run "aws iot create-job --cli-input-json takes our request" 0 /usr/bin/aws iot create-job \
	--cli-input-json "file://$DATA/ota-http.json" --endpoint-url "$C_URL"
t_run "publishing the same request finds the AWS CLI's job equal" 0 \
	jobdoc-publish --signing-name execute-api --endpoint "$C_URL" "$DATA/ota-http.json"
t_err_has "existing equal job" "exists with the same document and targets (status IN_PROGRESS)"
t_run "and a changed one different" 1 \
	jobdoc-publish --signing-name execute-api --endpoint "$C_URL" "$DATA/ota-http-changed-document.json"
t_run "aws iot get-job-document reads the job we publish" 0 sh -c '
	jobdoc-publish --signing-name execute-api --endpoint "$1" "$2" >/dev/null &&
	/usr/bin/aws iot get-job-document --job-id reboot-1 --endpoint-url "$1" --query document --output text' \
	sh "$C_URL" "$DATA/minimal.json"
"$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["document"])' "$DATA/minimal.json" >"$T_TMP/want"
t_same "the AWS CLI sees our document" "$T_TMP/want" "$T_TMP/out"

# --- 6. the printed request is the request -----------------------------------
ctl "$A_URL" /_fixture/reset {} >/dev/null
t_run "dry-run for the endpoint" 0 jobdoc-publish --dry-run --endpoint "$A_URL" "$DATA/ota-http.json"
cp "$T_TMP/out" "$T_TMP/replay.http"
t_run "its bytes, sent as they are, are accepted" 0 \
	"$PY" "$PEERS/botocore-check.py" replay "$T_TMP/replay.http" "$A_URL"
t_run "an invalid member is refused by botocore's model (the endpoint can say no)" 1 sh -c '
	jobdoc-publish --dry-run --no-validate --endpoint "$1" "$2" >"$3" &&
	"$4" "$5/botocore-check.py" replay "$3" "$1"' sh "$A_URL" \
	"$DATA/invalid-target-selection.json" "$T_TMP/bad.http" "$PY" "$PEERS"
t_out_has "InvalidRequestException from the validator" \
	"Invalid value for parameter input.targetSelection, value: SOMETIMES"

printf '{"jobId":"not-an-arn","targets":["fleet-a"],"document":"{}"}\n' >"$T_TMP/not-arn.json"
t_run "a target botocore takes but our schema refuses: the endpoint checks both" 5 \
	jobdoc-publish --no-validate "$T_TMP/not-arn.json"
t_err_has "the schema's finding" "schema: "

# --- 7. usage --------------------------------------------------------------------
t_run "publish --help" 0 jobdoc-publish --help
t_out_has "exit codes in --help" "Exit status:"
t_run "get: a bad JOBID is a usage error" 2 jobdoc-get 'a/b'
t_run "publish: no input" 2 jobdoc-publish
t_run "publish: unreadable input" 3 jobdoc-publish "$T_TMP/missing.json"
t_run "no region" 2 env -u AWS_REGION jobdoc-publish --dry-run "$DATA/minimal.json"
printf '{"jobId": "x",\n  "targets": [1,}\n' >"$T_TMP/bad.json"
t_run "unparsable input: exit 3" 3 jobdoc-publish --dry-run "$T_TMP/bad.json"
t_err_has "with file:line:col" "jobdoc-publish: $T_TMP/bad.json:2:"
t_run "a request from stdin" 0 env -u AWS_ENDPOINT_URL_IOT sh -c 'jobdoc-publish --dry-run --date $1 - <"$2"' sh $DATE "$DATA/minimal.json"
t_same "the same request as from the file" "$T_TMP/minimal.http" "$T_TMP/out"
t_run "AWS_MAX_ATTEMPTS must be a number" 2 env AWS_MAX_ATTEMPTS=0 jobdoc-get reboot-1
t_err_has "quoted" "AWS_MAX_ATTEMPTS: not a number 1..100: '0'"
printf 'jobId: p-1\ntargets: [arn:aws:iot:us-east-1:123456789012:thing/t1]\ndocument: {v: "${aws:iot:parameter:ver}", n: "${aws:iot:parameter:n}"}\n' >"$T_TMP/p.yaml"
printf '{"n": 42}\n' >"$T_TMP/p.json"
t_run "-p/-P: a spec's parameters resolved on the way" 0 env -u AWS_ENDPOINT_URL_IOT \
	jobdoc-publish --dry-run --date $DATE -p ver=9.9.9 -P "$T_TMP/p.json" "$T_TMP/p.yaml"
t_out_has "the resolved document in the body" '{\"v\":\"9.9.9\",\"n\":42}'
t_run "-p: a value missing is an error with its place" 1 env -u AWS_ENDPOINT_URL_IOT \
	jobdoc-publish --dry-run --date $DATE -p ver=9.9.9 "$T_TMP/p.yaml"
t_err_has "names the parameter" "p.yaml:3:"
t_run "get --version" 0 jobdoc-get --version
t_out_has "version line" "jobdoc-get (jobdoc) "
t_done
