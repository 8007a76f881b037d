#!/bin/sh
# Golden cases of the templater (jobdoc-render, jobdoc-compile -p/-P):
# tests/data/render/*/ (see golden.sh). Each case runs twice: as the tools
# run (a spec's tree rendered where it is) and with JD_TEST_RENDER_COPY=1
# (the copy-on-change walk, which keeps the spec as written): both must give
# the expected output.
. "${JD_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/data/golden.sh"
golden_run "$JD_TOP"/tests/data/render/*/
if [ -z "$JD_REGEN" ]; then
	export JD_TEST_RENDER_COPY=1
	GOLDEN_TAG=copy
	golden_run "$JD_TOP"/tests/data/render/*/
	unset JD_TEST_RENDER_COPY GOLDEN_TAG
fi
t_done
