#!/bin/sh
# jobdoc-upload through a fault proxy (tests/peers/faultproxy.py) in front
# of RGW: a connection dropped in the middle of a part, 503 SlowDown, a
# stalled server: the retries complete the upload, byte-exact. A permanent
# failure or SIGINT: exit 5 (or death by SIGINT), a clear message, no
# multipart upload left (ListMultipartUploads empty), no partial object.
. "${JD_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
. "$JD_TOP/tests/peers/s3env.sh"
PROXY_PID=
stop_proxy() {
	[ -n "$PROXY_PID" ] && kill "$PROXY_PID" 2>/dev/null && wait "$PROXY_PID" 2>/dev/null
	PROXY_PID=
}
trap 'stop_proxy; s3env_stop' EXIT
start_proxy() { # start_proxy RULE...: AWS_ENDPOINT_URL goes through it, its log in $PLOG
	stop_proxy
	PLOG="$T_TMP/proxy.log"
	rm -f "$T_TMP/proxy.port" "$PLOG"
	args=
	for r in "$@"; do args="$args --rule $r"; done
	# shellcheck disable=SC2086
	python3 "$JD_TOP/tests/peers/faultproxy.py" --upstream "127.0.0.1:$JD_RGW_PORT" \
		--port-file "$T_TMP/proxy.port" --log "$PLOG" $args &
	PROXY_PID=$!
	i=0
	while [ ! -s "$T_TMP/proxy.port" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
	export AWS_ENDPOINT_URL="http://127.0.0.1:$(cat "$T_TMP/proxy.port")"
}
fired() { grep -c "^$1\$" "$PLOG" 2>/dev/null || true; }
no_uploads() { # no_uploads NAME: ListMultipartUploads straight from RGW is empty
	AWS_ENDPOINT_URL="$JD_RGW_ENDPOINT" "$PROBE" uploads "$BUCKET" >"$T_TMP/uploads" 2>&1
	if [ $? -eq 0 ] && [ ! -s "$T_TMP/uploads" ]; then t_ok 0 "$1"; else
		t_ok 1 "$1"; sed 's/^/#   /' "$T_TMP/uploads"; fi
}
no_object() { # no_object NAME KEY
	AWS_ENDPOINT_URL="$JD_RGW_ENDPOINT" "$PROBE" head "$BUCKET" "$2" >/dev/null 2>&1
	t_ok $(($? == 1 ? 0 : 1)) "$1"
}
same_back() { # same_back NAME KEY
	AWS_ENDPOINT_URL="$JD_RGW_ENDPOINT" "$PROBE" get "$BUCKET" "$2" "$T_TMP/back" &&
		cmp -s "$T_TMP/back" "$T_TMP/src"
	t_ok $? "$1"
}
MP="--multipart-threshold 5MiB --part-size 5MiB --jobs 2"
head -c $((3 * 5242880 + 1000)) /dev/urandom >"$T_TMP/src" # 4 parts

start_proxy drop:2:1
t_run "connection dropped mid-part: upload completes" 0 jobdoc-upload $MP "$T_TMP/src" "s3://$BUCKET/drop.bin"
[ "$(fired 'drop part=2')" = 1 ]
t_ok $? "drop: the fault happened"
same_back "drop: byte-exact" drop.bin

start_proxy slowdown:3:2 slowdown:0:1
t_run "503 SlowDown twice on a part: upload completes" 0 jobdoc-upload -v $MP "$T_TMP/src" "s3://$BUCKET/slow.bin"
[ "$(fired 'slowdown part=3')" = 2 ]
t_ok $? "slowdown: the fault happened twice"
t_err_has "slowdown: the retry is logged" "HTTP 503 SlowDown; retry 1/"
same_back "slowdown: byte-exact" slow.bin
printf 'small\n' >"$T_TMP/small"
t_run "503 SlowDown on a single PUT: completes" 0 jobdoc-upload "$T_TMP/small" "s3://$BUCKET/slow-small.bin"
[ "$(fired 'slowdown part=0')" = 1 ]
t_ok $? "single PUT slowdown: the fault happened"

start_proxy stall:1:1
t_run "stalled server: upload completes" 0 jobdoc-upload --stall-timeout 2 $MP "$T_TMP/src" "s3://$BUCKET/stall.bin"
[ "$(fired 'stall part=1')" = 1 ]
t_ok $? "stall: the fault happened"
same_back "stall: byte-exact" stall.bin

start_proxy deny:3:-1
t_run "permanent failure: exit 5" 5 jobdoc-upload $MP "$T_TMP/src" "s3://$BUCKET/deny.bin"
t_err_has "permanent: clear message" "upload part 3/4 of s3://$BUCKET/deny.bin: HTTP 403 AccessDenied: injected by faultproxy (RequestId fault-1)"
no_uploads "permanent: no multipart upload left"
no_object "permanent: no object" deny.bin

start_proxy slowdown:2:-1
t_run "503 for ever: exit 5 after the retries" 5 jobdoc-upload $MP "$T_TMP/src" "s3://$BUCKET/busy.bin"
t_err_has "503 for ever: message" "HTTP 503 SlowDown"
[ "$(fired 'slowdown part=2')" -ge 3 ]
t_ok $? "503 for ever: retried"
no_uploads "503 for ever: no multipart upload left"
no_object "503 for ever: no object" busy.bin

start_proxy stall:2:-1
jobdoc-upload --stall-timeout 60 --jobs 1 --multipart-threshold 5MiB --part-size 5MiB \
	"$T_TMP/src" "s3://$BUCKET/int.bin" >"$T_TMP/out" 2>"$T_TMP/err" &
pid=$!
i=0
while [ "$(fired 'stall part=2')" != 1 ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
kill -INT $pid
wait $pid
st=$?
[ $st -eq 130 ]
t_ok $? "SIGINT: killed by SIGINT (status $st)"
t_err_has "SIGINT: says so" "interrupted"
no_uploads "SIGINT: the multipart upload was aborted"
no_object "SIGINT: no object" int.bin
[ ! -s "$T_TMP/out" ]
t_ok $? "SIGINT: no output"
stop_proxy
t_done
