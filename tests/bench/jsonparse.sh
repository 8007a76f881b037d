#!/bin/sh
# JSON parsing: json_loadb against jd_json_parse (lib/jsonparse.c), CPU time
# per parse (tree built and freed), the best of five rounds
# (tests/helpers/json-bench.c), on the largest embedded schemas, a ~1 KB job
# document as written and the same compact, as a CreateJob request holds it.
# Target (the parser's brief): at least 4x on the schema and on the document.
. "$JD_TOP/tests/bench/common.sh"
HELPER=$JD_BUILD/tests/helpers/json-bench
if [ ! -x "$HELPER" ]; then
	make --no-print-directory -C "$JD_TOP" BUILD="$JD_BUILD" "$HELPER" >/dev/null
fi
mkdir -p "$JD_BUILD/bench"
DOC=$JD_TOP/tests/data/job-documents/device-client.v1.steps-and-finalStep.json
/usr/bin/python3 -c 'import json, sys; sys.stdout.write(json.dumps(json.load(open(sys.argv[1])), separators=(",", ":")))' \
	"$DOC" >"$JD_BUILD/bench/document-compact.json"
cd "$JD_TOP"
"$HELPER" schemas/createjob-request.json schemas/job-spec.json \
	"${DOC#"$JD_TOP"/}" "$JD_BUILD/bench/document-compact.json"
