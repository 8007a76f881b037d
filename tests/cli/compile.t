#!/bin/sh
# jobdoc-compile: samples, determinism, YAML = JSON, errors, hostile inputs, options.
. "${JD_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
S=$JD_TOP/samples
PY=/usr/bin/python3
PATH="$JD_BUILD/tests/helpers:$PATH"

for f in "$S"/*.yaml; do
	n=$(basename "$f")
	t_run "compile $n" 0 jobdoc-compile "$f"
	$PY -c 'import json,sys; r=json.load(open(sys.argv[1])); assert r["jobId"] and r["targets"]' "$T_TMP/out"
	t_ok $? "$n: output is a request with jobId and targets"
	cp "$T_TMP/out" "$T_TMP/first"
	jobdoc-compile "$f" >"$T_TMP/second"
	t_same "$n: same bytes when compiled twice" "$T_TMP/first" "$T_TMP/second"
	# the same spec as JSON (written by our loader) gives the same bytes
	mkdir -p "$T_TMP/json/documents"
	cp "$S"/documents/* "$T_TMP/json/documents/"
	load-dump "$f" | sed -n 2p >"$T_TMP/json/${n%.yaml}.json"
	jobdoc-compile "$T_TMP/json/${n%.yaml}.json" >"$T_TMP/fromjson"
	t_same "$n: YAML and JSON forms give identical bytes" "$T_TMP/first" "$T_TMP/fromjson"
done

# canonical: members in the AWS model's order, whatever order the spec has
cat >"$T_TMP/order.yaml" <<'Y'
tags: [{Value: v, Key: k}]
timeoutConfig: {inProgressTimeoutInMinutes: 5}
document: {b: 1, a: 2}
targets: [arn:aws:iot:us-east-1:123456789012:thing/t1]
jobExecutionsRolloutConfig:
  exponentialRate:
    rateIncreaseCriteria: {numberOfSucceededThings: 5}
    incrementFactor: 2
    baseRatePerMinute: 10
jobId: order
Y
t_run "model order" 0 jobdoc-compile --no-validate "$T_TMP/order.yaml"
printf '%s\n' '{"jobId":"order","targets":["arn:aws:iot:us-east-1:123456789012:thing/t1"],"document":"{\"b\":1,\"a\":2}","jobExecutionsRolloutConfig":{"exponentialRate":{"baseRatePerMinute":10,"incrementFactor":2,"rateIncreaseCriteria":{"numberOfSucceededThings":5}}},"timeoutConfig":{"inProgressTimeoutInMinutes":5},"tags":[{"Key":"k","Value":"v"}]}' >"$T_TMP/want"
t_same "members in model order, document keys as written" "$T_TMP/want" "$T_TMP/out"

# several specs in one stream, and stdin
printf 'jobId: a\ntargets: [x]\ndocument: {v: 1}\n---\njobId: b\ntargets: [y]\ndocument: {v: 2}\n' >"$T_TMP/two.yaml"
t_run "two documents, two requests" 0 jobdoc-compile --no-validate "$T_TMP/two.yaml"
[ "$(wc -l <"$T_TMP/out")" -eq 2 ]
t_ok $? "one line per request"
t_run "stdin" 0 sh -c "jobdoc-compile --no-validate - <'$T_TMP/two.yaml'"
t_out_has "stdin: second job" '"jobId":"b"'
mkdir "$T_TMP/dir"
t_run "--output-dir" 0 jobdoc-compile --no-validate -O "$T_TMP/dir" "$T_TMP/two.yaml"
[ -f "$T_TMP/dir/a.json" ] && [ -f "$T_TMP/dir/b.json" ]
t_ok $? "--output-dir writes JOBID.json"
t_run "jobdoc compile dispatches" 0 jobdoc compile --no-validate "$T_TMP/two.yaml"

# parallel compile keeps the order of the specs, whatever the threads do
/usr/bin/python3 "$JD_TOP/tests/bench/gen-specs.py" "$T_TMP/gen" --count 300 --seed 5 >/dev/null
jobdoc-compile -j1 --no-validate -o "$T_TMP/j1.jsonl" "$T_TMP"/gen/spec-*.yaml
jobdoc-compile -j4 --no-validate -o "$T_TMP/j4.jsonl" "$T_TMP"/gen/spec-*.yaml
t_same "-j4 gives the bytes -j1 gives, in order" "$T_TMP/j1.jsonl" "$T_TMP/j4.jsonl"
[ "$(wc -l <"$T_TMP/j4.jsonl")" -eq 300 ]
t_ok $? "one request per spec"

# errors name the place and the closest key
printf 'jobid: x\ntargets: [t]\ndocument: {a: 1}\n' >"$T_TMP/typo.yaml"
t_run "unknown key exits 3" 3 jobdoc-compile "$T_TMP/typo.yaml"
t_err_has "unknown key: place and suggestion" "typo.yaml:1:1: /jobid: unknown key 'jobid'; did you mean 'jobId'?"
printf 'jobId: x\ntargets: [t]\ndocument: {a: 1}\nabortConfig:\n  criteriaList:\n    - failureTyp: FAILED\n' >"$T_TMP/typo2.yaml"
t_run "nested unknown key" 3 jobdoc-compile "$T_TMP/typo2.yaml"
t_err_has "nested: suggestion" "typo2.yaml:6:7: /abortConfig/criteriaList/0/failureTyp: unknown key 'failureTyp'; did you mean 'failureType'?"
printf 'jobId: x\ntargets: [t]\ndocument: {a: 1}\ndocumentSource: https://s3.amazonaws.com/b/k\n' >"$T_TMP/two-src.yaml"
t_run "two document sources" 3 jobdoc-compile "$T_TMP/two-src.yaml"
t_err_has "two sources named" "two-src.yaml:4:1: /documentSource: 'document' and 'documentSource' are both given"
printf 'jobId: x\ntargets: [t]\n' >"$T_TMP/no-src.yaml"
t_run "no document source" 3 jobdoc-compile "$T_TMP/no-src.yaml"
t_err_has "no source" "no-src.yaml:1:1: no job document"
printf 'jobId: x\ntargets: t\ndocument: {a: 1}\n' >"$T_TMP/shape.yaml"
t_run "scalar where a list belongs" 3 jobdoc-compile "$T_TMP/shape.yaml"
t_err_has "shape error" "shape.yaml:2:10: /targets: expected a sequence (JobTargets), got a string"
printf 'jobId: x\ntargets: [t]\ndocumentFile: missing.json\n' >"$T_TMP/nofile.yaml"
t_run "missing documentFile" 3 jobdoc-compile "$T_TMP/nofile.yaml"
t_err_has "missing documentFile named" "missing.json: cannot open"
printf 'jobId: x\ntargets: [t]\ndocument: "{\\"a\\": }"\n' >"$T_TMP/badstr.yaml"
t_run "document string that is not JSON" 3 jobdoc-compile "$T_TMP/badstr.yaml"
t_err_has "document string error" "badstr.yaml:3:11: /document: the document string is not JSON"

# hostile inputs: one line naming the problem and its place, exit 3, no output file
hostile() { # NAME FILE WANT
	rm -f "$T_TMP/o.json"
	t_run "hostile $1: exit 3" 3 jobdoc-compile -o "$T_TMP/o.json" "$2"
	t_err_has "hostile $1: message" "$3"
	[ "$(wc -l <"$T_TMP/err")" -eq 1 ]
	t_ok $? "hostile $1: one line"
	! ls "$T_TMP"/o.json* >/dev/null 2>&1
	t_ok $? "hostile $1: no output file"
}
$PY - "$T_TMP" <<'P'
import sys, os, random
d = sys.argv[1]
lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
for i in range(1, 10):
    lines.append('a%d: &a%d [%s]' % (i, i, ','.join(['*a%d' % (i - 1)] * 10)))
open(d + '/laughs.yaml', 'w').write('\n'.join(lines) + '\n')
open(d + '/deep.yaml', 'w').write('jobId: ' + '[' * 10000 + ']' * 10000 + '\n')
with open(d + '/big.yaml', 'wb') as f:
    f.write(b'jobId: x\ndescription: ' + b'a' * (100 * 1000 * 1000) + b'\n')
open(d + '/utf8.yaml', 'wb').write(b'jobId: x\ndescription: caf\xe9\n')
open(d + '/nul.yaml', 'wb').write(b'jobId: x\x00\n')
open(d + '/dup.yaml', 'w').write('jobId: x\ntargets: []\njobId: y\n')
open(d + '/tab.yaml', 'w').write('document:\n\tafr_ota: {}\n')
open(d + '/tag.yaml', 'w').write('jobId: !custom x\n')
r = random.Random(1)
open(d + '/rand.bin', 'wb').write(bytes(r.randrange(256) for _ in range(65536)))
P
hostile "billion laughs" "$T_TMP/laughs.yaml" "laughs.yaml:5:38: aliases expand to over 100000 values"
hostile "10,000 levels" "$T_TMP/deep.yaml" "deep.yaml:1:263: nesting deeper than 256 levels"
hostile "100 MB" "$T_TMP/big.yaml" "big.yaml: too big (the limit is 16777216 bytes)"
# the limit to the byte: a file of known size is read in one piece
$PY - "$T_TMP" <<'P'
import sys
d = sys.argv[1]
for name, size in (('limit.yaml', 16777216), ('over.yaml', 16777217)):
    head = b'jobId: x\ndescription: '
    with open(d + '/' + name, 'wb') as f:
        f.write(head + b'a' * (size - len(head) - 1) + b'\n')
P
t_run "a file of exactly 16 MiB is read" 3 jobdoc-compile -o /dev/null "$T_TMP/limit.yaml"
t_err_has "16 MiB: read whole, the spec is what is wrong" "limit.yaml:1:1: no job document"
hostile "16 MiB and a byte" "$T_TMP/over.yaml" "over.yaml: too big (the limit is 16777216 bytes)"
t_run "16 MiB and a byte on stdin" 3 sh -c 'jobdoc-compile -o /dev/null - <"$1"' sh "$T_TMP/over.yaml"
t_err_has "stdin: too big" "too big (the limit is 16777216 bytes)"
hostile "invalid UTF-8" "$T_TMP/utf8.yaml" "utf8.yaml:2:17: invalid UTF-8 (byte 0xe9)"
hostile "NUL byte" "$T_TMP/nul.yaml" "nul.yaml:1:9: NUL byte in the input"
hostile "duplicate keys" "$T_TMP/dup.yaml" "dup.yaml:3:1: duplicate key 'jobId' (first at line 1)"
hostile "tab indentation" "$T_TMP/tab.yaml" "tab.yaml:2:1: tab character in indentation"
hostile "unknown tag" "$T_TMP/tag.yaml" "tag.yaml:1:8: unknown tag '!custom'"
hostile "random binary" "$T_TMP/rand.bin" "rand.bin:1:3: invalid UTF-8 (byte 0x82)"

# usage
t_run "--help" 0 jobdoc-compile --help
t_out_has "--help lists exit codes" "70  internal error"
t_run "--version" 0 jobdoc-compile --version
t_out_has "--version" "jobdoc-compile (jobdoc)"
t_run "no spec is a usage error" 2 jobdoc-compile
t_run "unknown option is a usage error" 2 jobdoc-compile --bogus x
t_run "-o and -O together" 2 jobdoc-compile -o a -O b x
t_run "unknown verb" 2 jobdoc frobnicate
t_err_has "unknown verb message" "'frobnicate' is not a jobdoc verb"
t_done
