# Shell helpers for TAP tests in tests/*/*.t. Source it:  . "$JD_TOP/tests/lib.sh"
# JD_BUILD points at the build directory (bin/ holds the tools); make check sets it.
: "${JD_TOP:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${JD_BUILD:=$JD_TOP/build}"
PATH="$JD_BUILD/bin:$PATH"
export PATH JD_TOP JD_BUILD
T_N=0
T_FAIL=0
T_TMP=$(mktemp -d "${TMPDIR:-/tmp}/jdtest.XXXXXX")
trap 't_cleanup' EXIT
t_cleanup() { rm -rf "$T_TMP"; }

t_ok() { # t_ok COND_STATUS NAME
	T_N=$((T_N + 1))
	if [ "$1" -eq 0 ]; then echo "ok $T_N - $2"; else echo "not ok $T_N - $2"; T_FAIL=$((T_FAIL + 1)); fi
}
# t_run NAME WANT_EXIT CMD...: runs CMD, stdout in $T_TMP/out, stderr in $T_TMP/err
t_run() {
	name=$1 want=$2
	shift 2
	"$@" >"$T_TMP/out" 2>"$T_TMP/err"
	got=$?
	if [ "$got" -eq "$want" ]; then t_ok 0 "$name"; else
		t_ok 1 "$name"
		echo "#   exit $got, want $want: $*"
		sed -e 's/^/#   stderr: /' "$T_TMP/err" | head -5
	fi
}
t_err_has() { # t_err_has NAME SUBSTRING
	if grep -qF -- "$2" "$T_TMP/err"; then t_ok 0 "$1"; else
		t_ok 1 "$1"; echo "#   stderr lacks: $2"; sed -e 's/^/#   stderr: /' "$T_TMP/err" | head -5; fi
}
t_out_has() {
	if grep -qF -- "$2" "$T_TMP/out"; then t_ok 0 "$1"; else
		t_ok 1 "$1"; echo "#   stdout lacks: $2"; head -c 600 "$T_TMP/out" | sed -e 's/^/#   stdout: /'; fi
}
t_same() { # t_same NAME FILE1 FILE2
	if cmp -s "$2" "$3"; then t_ok 0 "$1"; else
		t_ok 1 "$1"; diff -u "$2" "$3" | head -20 | sed -e 's/^/#   /'; fi
}
t_done() { echo "1..$T_N"; [ "$T_FAIL" -eq 0 ]; }
