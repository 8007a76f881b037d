#!/bin/sh
# The fast YAML scanner against libyaml: on every input the fast scanner
# accepts, both give the same events (tests/helpers/yfast-diff). Inputs: the
# edge cases in tests/data/yfast/, the loader's golden inputs, the samples,
# and 400 generated specs. It also checks the fast path is really taken.
. "${JD_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
D=$JD_BUILD/tests/helpers/yfast-diff
/usr/bin/python3 "$JD_TOP/tests/bench/gen-specs.py" "$T_TMP/specs" --count 400 --seed 3
t_ok $? "generated 400 specs"
for set in "yfast edge cases:$JD_TOP/tests/data/yfast/*.yaml" \
	"loader golden inputs:$JD_TOP/tests/data/load/*/input.*" \
	"samples:$JD_TOP/samples/*.yaml $JD_TOP/samples/documents/*.json" \
	"generated specs:$T_TMP/specs/*.yaml"; do
	name=${set%%:*}
	# shellcheck disable=SC2086
	$D ${set#*:} >"$T_TMP/out"
	t_ok $? "$name: fast scanner and libyaml agree"
	grep '^differ' "$T_TMP/out" | head -3 | sed -e 's/^/# /'
done
# the fast path is taken where it should be, and left where it should
$D "$JD_TOP"/tests/data/yfast/[!b]*.yaml >"$T_TMP/out"
grep -q "bailed 0, differ 0" "$T_TMP/out"
t_ok $? "every non-bail edge case takes the fast path ($(tail -1 "$T_TMP/out"))"
$D "$JD_TOP"/tests/data/yfast/bails-*.yaml >"$T_TMP/out"
grep -q "^fast 0," "$T_TMP/out"
t_ok $? "every bail case goes to libyaml ($(tail -1 "$T_TMP/out"))"
$D "$T_TMP"/specs/*.yaml >"$T_TMP/out"
grep -q "^fast 400, bailed 0" "$T_TMP/out"
t_ok $? "generated specs all take the fast path"
t_done
