#!/bin/sh
# Broken variants of real documents and samples, one rule broken each:
# tests/data/validate/*/ (made by make-validate-cases.py; see golden.sh)
. "${JD_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/data/golden.sh"
golden_run "$JD_TOP"/tests/data/validate/*/
t_done
