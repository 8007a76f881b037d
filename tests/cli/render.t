#!/bin/sh
# jobdoc-render: options, exit codes, output file, stdin, formats.
. "${JD_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
cat >"$T_TMP/spec.yaml" <<'SPEC'
jobId: fw-1
targets: [arn:aws:iot:eu-west-1:123456789012:thing/t]
parameters:
  size: {type: integer}
document:
  afr_ota: {files: [{filesize: "${aws:iot:parameter:size}"}]}
SPEC
t_run "--help" 0 jobdoc-render --help
t_out_has "--help names --before-substitution" "--before-substitution"
t_out_has "--help ends with the exit codes" "70  internal error"
t_run "--version" 0 jobdoc-render --version
t_out_has "--version" "jobdoc-render (jobdoc)"
t_run "no file" 2 jobdoc-render
t_err_has "no file: usage" "Try 'jobdoc-render --help'"
t_run "two files" 2 jobdoc-render "$T_TMP/spec.yaml" "$T_TMP/spec.yaml"
t_run "unknown option" 2 jobdoc-render --nope "$T_TMP/spec.yaml"
t_run "--list with --request" 2 jobdoc-render --list --request "$T_TMP/spec.yaml"
t_run "render" 0 jobdoc-render "$T_TMP/spec.yaml" -p size=10
t_out_has "typed value" '{"afr_ota":{"files":[{"filesize":10}]}}'
t_run "stdin" 0 sh -c "jobdoc-render - -p size:=7 < '$T_TMP/spec.yaml'"
t_out_has "stdin typed value" '"filesize":7'
t_run "-o writes the file" 0 jobdoc-render "$T_TMP/spec.yaml" -p size=10 -o "$T_TMP/out.json"
t_ok "$(grep -c filesize "$T_TMP/out.json" | grep -qx 1; echo $?)" "-o file holds the document"
t_run "-o on failure" 1 jobdoc-render "$T_TMP/spec.yaml" -o "$T_TMP/none.json"
t_ok "$([ ! -e "$T_TMP/none.json" ]; echo $?)" "-o on failure: no file left behind"
t_run "missing file" 3 jobdoc-render "$T_TMP/nothere.yaml"
t_run "--format json" 1 jobdoc-render --format json "$T_TMP/spec.yaml"
t_out_has "--format json: a finding with line and column" '"line": 6'
t_run "--format github" 1 jobdoc-render --format github "$T_TMP/spec.yaml"
t_out_has "--format github: an annotation" "::error file="
t_run "compile --help names -P" 0 jobdoc-compile --help
t_out_has "compile --help: -P" "-P FILE"
t_run "dispatcher" 0 jobdoc render "$T_TMP/spec.yaml" -p size=1
t_done
