#!/bin/sh
# Golden cases of the templater (jobdoc-render, jobdoc-compile -p/-P):
# tests/data/render/*/ (see golden.sh)
. "${JD_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/data/golden.sh"
golden_run "$JD_TOP"/tests/data/render/*/
t_done
