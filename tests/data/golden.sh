# Golden-case runner, sourced by tests/data/*.t.
# Each case is a directory with a `cmd` file (a shell command run in the case
# directory; $JD_BUILD/bin and $JD_BUILD/tests/helpers are on PATH) and the
# expected results: `out` (stdout), `err` (stderr), `rc` (exit code, default 0).
# JD_REGEN=1 rewrites the expected files from what the command does now;
# review the change with git diff. GOLDEN_TAG names a second pass in the
# test names.
. "$JD_TOP/tests/lib.sh"
PATH="$JD_BUILD/tests/helpers:$PATH"
golden_run() { # golden_run DIR...
	for d in "$@"; do
		[ -f "$d/cmd" ] || continue
		name=${d#"$JD_TOP"/tests/data/}${GOLDEN_TAG:+ ($GOLDEN_TAG)}
		(cd "$d" && sh ./cmd >"$T_TMP/out" 2>"$T_TMP/err"; echo $? >"$T_TMP/rc")
		if [ -n "$JD_REGEN" ]; then
			cp "$T_TMP/out" "$d/out"
			cp "$T_TMP/err" "$d/err"
			if [ "$(cat "$T_TMP/rc")" = 0 ]; then rm -f "$d/rc"; else cp "$T_TMP/rc" "$d/rc"; fi
			[ -s "$d/out" ] || rm -f "$d/out"
			[ -s "$d/err" ] || rm -f "$d/err"
		fi
		want_rc=0
		[ -f "$d/rc" ] && want_rc=$(cat "$d/rc")
		bad=
		[ "$(cat "$T_TMP/rc")" = "$want_rc" ] || bad="exit $(cat "$T_TMP/rc"), want $want_rc"
		if [ -f "$d/out" ]; then cmp -s "$d/out" "$T_TMP/out" || bad="$bad stdout differs"
		else [ -s "$T_TMP/out" ] && bad="$bad unexpected stdout"; fi
		if [ -f "$d/err" ]; then cmp -s "$d/err" "$T_TMP/err" || bad="$bad stderr differs"
		else [ -s "$T_TMP/err" ] && bad="$bad unexpected stderr"; fi
		if [ -z "$bad" ]; then t_ok 0 "$name"; else
			t_ok 1 "$name: $bad"
			for f in out err; do
				[ -f "$d/$f" ] && diff -u "$d/$f" "$T_TMP/$f" | head -15 | sed -e 's/^/#   /'
			done
		fi
	done
}
