#!/bin/sh
# make demo: compiles every sample spec and prints the CreateJob request it
# becomes. (The whole release pipeline, samples/release-pipeline/, joins here
# once it is there.)
set -e
top=$(cd "$(dirname "$0")/.." && pwd)
bin=${JD_BUILD:-$top/build}/bin
for spec in "$top"/samples/*.yaml; do
	printf '\n== jobdoc compile %s\n' "samples/$(basename "$spec")"
	"$bin/jobdoc" compile "$spec" | /usr/bin/python3 -m json.tool --indent 2
done
