#!/bin/sh
# Golden cases of the YAML/JSON loader: tests/data/load/*/ (see golden.sh)
. "${JD_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/data/golden.sh"
golden_run "$JD_TOP"/tests/data/load/*/
t_done
