#!/bin/sh
# jobdoc-validate: options, recognition, formats, exit codes; jobdoc-compile's
# validation step.
. "${JD_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
S=$JD_TOP/samples
D=$JD_TOP/tests/data/job-documents
W=$T_TMP/w
mkdir -p "$W/schemas/sub"
DATE=--date=2026-11-01T00:00:00Z

t_run "--help" 0 jobdoc-validate --help
t_out_has "--help lists --schema" "--schema NAME|PATH"
t_out_has "--help ends with the exit codes" "70  internal error"
t_run "--version" 0 jobdoc-validate --version
t_out_has "--version" "jobdoc-validate (jobdoc)"
t_run "no file" 2 jobdoc-validate
t_run "unknown option" 2 jobdoc-validate --frobnicate x
t_run "bad --date" 2 jobdoc-validate --date tomorrow x.json
t_run "bad --draft" 2 jobdoc-validate --draft 4 x.json
t_run "bad --format" 2 jobdoc-validate --format xml x.json

t_run "--list-schemas" 0 jobdoc-validate --list-schemas
for n in createjob-request job-spec afr-ota afr-ota-legacy afr-ota-message device-client \
	aws-managed/AWS-Reboot aws-managed/AWS-Run-Command aws-managed/AWS-Download-File; do
	t_out_has "--list-schemas has $n" "$n	"
done
t_run "--print-schema job-spec" 0 jobdoc-validate --print-schema job-spec
t_out_has "job-spec has its \$id" '"$id": "https://jobdoc.invalid/schemas/job-spec.json"'
cp "$T_TMP/out" "$W/job-spec.json"
t_run "--print-schema of an unknown name" 2 jobdoc-validate --print-schema job-specs

# the built-in schemas are valid against their meta-schema (the validator skips that check)
t_run "built-in schemas against the 2020-12 meta-schema" 0 jobdoc-validate \
	--schema https://json-schema.org/draft/2020-12/schema "$JD_TOP"/schemas/*.json "$JD_TOP"/schemas/aws-managed/*.json
t_err_has "all of them" "14 files: 14 valid"
printf '{"type": "object", "properties": {"a": {"type": "strin"}}}\n' >"$W/badschema.json"
t_run "a schema broken against the meta-schema" 1 jobdoc-validate \
	--schema https://json-schema.org/draft/2020-12/schema "$W/badschema.json"

# recognition and the summary
t_run "samples are valid" 0 jobdoc-validate $DATE "$S"/*.yaml
t_err_has "summary" "5 files: 5 valid, 0 invalid (0 errors), 0 unreadable"
t_run "quiet" 0 jobdoc-validate -q $DATE "$S"/ota-mqtt.yaml
[ -s "$T_TMP/err" ]; t_ok $((!$?)) "--quiet prints nothing"
jobdoc-compile --no-validate "$S/ota-http.yaml" >"$W/request.json"
t_run "a compiled request is recognised" 0 jobdoc-validate "$W/request.json"
sed -e 's/"fileid\\":0/"fileid\\":300/' "$W/request.json" >"$W/bad-request.json"
t_run "its document is checked inside the string" 1 jobdoc-validate "$W/bad-request.json"
t_err_has "document finding at the string" "bad-request.json:1:"
t_err_has "... with the pointer into the document" "/document/afr_ota/files/0/fileid: must be at most 255, is 300"
printf 'title: not a job\n' >"$W/other.yaml"
t_run "an unknown file is skipped with a warning" 0 jobdoc-validate "$W/other.yaml"
t_err_has "warning" "other.yaml:1:1: warning: not a job spec"
t_run "stdin" 1 sh -c 'jobdoc-validate - <"$1"' sh "$W/bad-request.json"
t_err_has "stdin is named -" "-:1:"

# exit codes: 1 invalid, 3 unreadable, continuing past both
printf '{"afr_ota": {"protocols": ["MQTT"], "files": []}}\n' >"$W/bad.json"
printf '{"afr_ota": \n' >"$W/broken.json"
t_run "invalid and valid files" 1 jobdoc-validate "$W/bad.json" "$D/afr_ota.mqtt.json"
t_err_has "summary counts" "2 files: 1 valid, 1 invalid (2 errors), 0 unreadable"
t_run "an unparsable file is exit 3" 3 jobdoc-validate "$W/bad.json" "$W/broken.json" "$D/afr_ota.mqtt.json"
t_err_has "continues past it" "3 files: 1 valid, 1 invalid (2 errors), 1 unreadable"
t_run "a missing file is exit 3" 3 jobdoc-validate "$W/nothing.json"

# --jobs: the same findings, in the order of the files, whatever the number of threads
set -- "$W/bad.json" "$W/broken.json" "$D/afr_ota.mqtt.json" "$W/bad-request.json" \
	"$W/nothing.json" "$S"/*.yaml "$W/other.yaml" "$W/bad.json"
t_run "-j1 on a mix" 3 jobdoc-validate -j1 $DATE "$@"
cp "$T_TMP/err" "$W/j1.err"
t_run "-j4 on the same mix" 3 jobdoc-validate -j4 $DATE "$@"
t_same "-j4 reports what -j1 reports, in file order" "$W/j1.err" "$T_TMP/err"
t_err_has "all counted" "12 files: 7 valid, 3 invalid (5 errors), 2 unreadable"
t_run "--jobs 0 is a usage error" 2 jobdoc-validate --jobs 0 "$W/bad.json"

# formats
t_run "--format json" 1 jobdoc-validate --format json "$W/bad.json"
t_out_has "json pointer" '"pointer": "/afr_ota/files"'
t_out_has "json keyword" '"keywordLocation": "'
t_out_has "json line" '"line": 1'
t_run "--format github" 1 jobdoc-validate --format github "$W/bad.json"
t_out_has "github annotation" "::error file=$W/bad.json,line=1,col="
t_out_has "github message" "::/afr_ota/files: must have at least 1 item, has 0"

# --schema with a built-in name, a path, --resolve, --map, --draft, --format-assert
t_run "--schema with an unknown name" 2 jobdoc-validate --schema afr-otaa "$W/bad.json"
t_err_has "suggests the close name" "did you mean 'afr-ota'?"
t_run "--schema job-spec on the samples" 0 jobdoc-validate --schema job-spec "$S"/*.yaml
sed -e 's/filesize: 448952/filesize: "448952"/' "$S/ota-http.yaml" >"$W/spec-bad-doc.yaml"
t_run "job-spec checks a document by its documentSchema" 1 jobdoc-validate --schema job-spec "$W/spec-bad-doc.yaml"
t_err_has "... at the document's line" "spec-bad-doc.yaml:14:19: /document/afr_ota/files/0/filesize: expected integer, got string"
t_run "job-spec checks documentParameters by the managed template" 1 jobdoc-validate --schema job-spec \
	"$JD_TOP/tests/data/validate/managed-parameter-unknown/spec.yaml"
t_err_has "... at the parameter" "spec.yaml:10:11: /documentParameters/reason: unknown property 'reason'"
printf -- '--- \njobId: a\ntargets: [arn:aws:iot:eu-west-1:123456789012:thing/a]\ndocumentSource: https://s3.amazonaws.com/b/k\n--- \njobId: b c\ntargets: [arn:aws:iot:eu-west-1:123456789012:thing/a]\ndocumentSource: https://s3.amazonaws.com/b/k\n' >"$W/two-specs.yaml"
t_run "a file of two specs, the second invalid" 1 jobdoc-validate "$W/two-specs.yaml"
t_err_has "... the second's line" "two-specs.yaml:6:8: /jobId:"
t_run "job-spec with a file of the schema (as editors have it)" 1 jobdoc-validate --schema "$W/job-spec.json" "$W/spec-bad-doc.yaml"
cat >"$W/schemas/limits.json" <<'X'
{"$id": "https://example.com/limits.json", "$defs": {"small": {"type": "integer", "maximum": 10}}}
X
cat >"$W/schemas/sub/uses.json" <<'X'
{"$schema": "https://json-schema.org/draft/2020-12/schema",
 "type": "object", "properties": {"n": {"$ref": "https://example.com/limits.json#/$defs/small"},
 "m": {"$ref": "../mapped.json"}}}
X
printf '{"type": "string", "format": "date"}\n' >"$W/schemas/mapped.json"
printf 'n: 11\n' >"$W/eleven.yaml"
printf 'n: 3\nm: "2026-13-45"\n' >"$W/three.yaml"
t_run "--schema PATH whose \$refs are unknown is exit 3" 3 jobdoc-validate --schema "$W/schemas/sub/uses.json" "$W/three.yaml"
t_err_has "names the reference" "cannot resolve reference"
t_run "--resolve a folder: by \$id, or by file name" 1 jobdoc-validate --resolve "$W/schemas" \
	--schema "$W/schemas/sub/uses.json" "$W/eleven.yaml"
t_err_has "YAML instance, with its line" "eleven.yaml:1:4: /n: must be at most 10, is 11"
t_run "--map answers a URI prefix from a folder" 0 jobdoc-validate --map "https://example.com/=$W/schemas" \
	--resolve "$W/schemas/mapped.json" --schema "$W/schemas/sub/uses.json" "$W/three.yaml"
t_run "--format-assert makes format assert" 1 jobdoc-validate --format-assert --resolve "$W/schemas" \
	--schema "$W/schemas/sub/uses.json" "$W/three.yaml"
t_err_has "format finding" "three.yaml:2:4: /m:"
printf '{"definitions": {"i": {"type": "integer"}}, "$ref": "#/definitions/i", "maximum": 1}\n' >"$W/d7.json"
printf '2\n' >"$W/two.json"
t_run "--draft 7: keywords beside \$ref are ignored" 0 jobdoc-validate --draft 7 --schema "$W/d7.json" "$W/two.json"
t_run "2020-12 by default: they apply" 1 jobdoc-validate --schema "$W/d7.json" "$W/two.json"
t_err_has "maximum" "must be at most 1, is 2"

printf '{"$ref": "https://jobdoc.invalid/schemas/afr-ota-legacy.json", "required": ["extra"]}\n' >"$W/mine.json"
t_run "a user schema can \$ref a built-in one" 1 jobdoc-validate --schema "$W/mine.json" "$D/afr_ota.mqtt.json"
t_err_has "... both apply" "missing required property 'extra'"
t_run "a built-in by URI, with a fragment" 1 jobdoc-validate \
	--schema 'https://jobdoc.invalid/schemas/aws-managed/AWS-Download-File.json#/$defs/parameters' "$W/two.json"
t_err_has "... the parameters' schema" "expected object, got integer"

# jobdoc-compile validates by default
t_run "compile: invalid spec" 1 jobdoc-compile $DATE "$W/spec-bad-doc.yaml"
t_err_has "compile reports the finding" "spec-bad-doc.yaml:14:19: /document/afr_ota/files/0/filesize: expected integer, got string"
[ -s "$T_TMP/out" ]; t_ok $((!$?)) "compile: no request printed"
t_run "compile --no-validate" 0 jobdoc-compile --no-validate "$W/spec-bad-doc.yaml"
t_out_has "compile --no-validate prints the request" '"jobId":"sensor-fw-1-4-2-http"'
t_run "compile: scheduling window against --date" 1 jobdoc-compile --date 2025-01-01T00:00:00Z "$S/ota-mqtt.yaml"
t_err_has "start too far ahead" "startTime '2027-03-01T01:00' is more than"
t_run "compile: --format json" 1 jobdoc-compile --format json $DATE "$W/spec-bad-doc.yaml"
t_out_has "json finding" '"rule": "schema"'

# documentFile: findings in the document file's own lines
mkdir -p "$W/df/documents"
printf 'jobId: df-1\ntargets: [arn:aws:iot:eu-west-1:123456789012:thing/a]\ndocumentFile: documents/doc.yaml\ndocumentSchema: device-client\n' >"$W/df/spec.yaml"
printf 'version: "1.0"\nsteps:\n  - action:\n      name: x\n      type: runCommand\n      input:\n        command: ls\n      ignoreStepFailure: true\n' >"$W/df/documents/doc.yaml"
t_run "documentFile finding" 1 jobdoc-validate "$W/df/spec.yaml"
t_err_has "... at the line of the document file" "documents/doc.yaml:8:26: /steps/0/action/ignoreStepFailure: expected string, got boolean"
sed -e 's/documentSchema: device-client/documentSchema: ..\/schemas\/mapped.json/' "$W/df/spec.yaml" >"$W/df/spec2.yaml"
t_run "documentSchema as a path relative to the spec" 1 jobdoc-validate "$W/df/spec2.yaml"
t_err_has "... names the document" "documents/doc.yaml:1:1: expected string, got object"

# the pre-commit hook definition
t_run "pre-commit hooks file" 0 grep -q '^- id: jobdoc-validate' "$JD_TOP/.pre-commit-hooks.yaml"
t_run "pre-commit hooks: entry" 0 grep -q 'entry: jobdoc-validate' "$JD_TOP/.pre-commit-hooks.yaml"
t_done
