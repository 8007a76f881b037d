#!/bin/sh
# Interop with the real AWS CLI (Debian awscli, /usr/bin/aws): every sample's
# compiled request passes the CLI's own parameter validation with
# `aws iot create-job --cli-input-json`, and the request the CLI sends (seen by
# a loopback recorder) has our request as its body, less jobId, which goes in
# the path /jobs/<jobId>. Debian's CLI carries an older IoT model: members it
# lacks (maintenanceWindows, destinationPackageVersions) are the one exception;
# no sample uses them, and a spec that does is checked to be refused by the CLI.
. "${JD_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
AWS=/usr/bin/aws
PY=/usr/bin/python3
[ -x "$AWS" ] || { echo "Bail out! /usr/bin/aws missing (Debian awscli; make check installs it)"; exit 1; }

$PY "$JD_TOP/tests/peers/recorder.py" "$T_TMP/port" "$T_TMP/log" 120 &
rec=$!
trap 'kill $rec 2>/dev/null; t_cleanup' EXIT
i=0
while [ ! -s "$T_TMP/port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
port=$(cat "$T_TMP/port")

export AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_PAGER= HOME=$T_TMP
unset AWS_PROFILE AWS_ENDPOINT_URL AWS_ENDPOINT_URL_IOT
for f in "$JD_TOP"/samples/*.yaml; do
	n=$(basename "$f" .yaml)
	jobdoc-compile "$f" >"$T_TMP/$n.json"
	: >"$T_TMP/log"
	t_run "$n: aws iot create-job accepts it" 0 $AWS iot create-job --cli-input-json "file://$T_TMP/$n.json" \
		--endpoint-url "http://127.0.0.1:$port" --region us-east-1
	$PY - "$T_TMP/$n.json" "$T_TMP/log" <<'P'
import json, sys
req = json.load(open(sys.argv[1]))
log = [json.loads(l) for l in open(sys.argv[2])]
assert len(log) == 1, 'want one request, got %d' % len(log)
got = log[0]
job = req.pop('jobId')
assert got['method'] == 'PUT', got['method']
assert got['path'] == '/jobs/' + job, got['path']
body = json.loads(got['body'])
assert body == req, 'body differs:\n%s\n%s' % (json.dumps(body, sort_keys=True), json.dumps(req, sort_keys=True))
P
	t_ok $? "$n: the CLI sent our request (PUT /jobs/<jobId>, same body)"
done

# the one exception, said out loud: Debian's CLI model predates maintenanceWindows
cat >"$T_TMP/mw.json" <<'J'
{"jobId":"mw","targets":["arn:aws:iot:us-east-1:123456789012:thing/t"],"document":"{}","schedulingConfig":{"startTime":"2027-01-01T00:00","maintenanceWindows":[{"startTime":"cron(0 1 * * ? *)","durationInMinutes":60}]}}
J
t_run "Debian's CLI model lacks maintenanceWindows (the documented exception)" 252 $AWS iot create-job \
	--cli-input-json "file://$T_TMP/mw.json" --endpoint-url "http://127.0.0.1:$port" --region us-east-1
t_err_has "the CLI names the member" "maintenanceWindows"
t_done
