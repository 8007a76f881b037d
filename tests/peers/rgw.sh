#!/bin/sh
# A throw-away single-node Ceph cluster with a RADOS Gateway (S3) on loopback,
# data in memory (memstore), STS on, for the S3 tests and the upload benchmark.
#
#   tests/peers/rgw.sh start    starts it (or joins the running one), waits for S3
#   tests/peers/rgw.sh env      prints shell exports: JD_RGW_ENDPOINT, keys, ...
#   tests/peers/rgw.sh stop     leaves it; the last user stops it after a short linger
#   tests/peers/rgw.sh kill     stops it now, whoever uses it
#
# Tests of one prove run share one cluster: its directory is keyed by
# JD_BUILD (the build directory), users are counted in $dir/users, and the
# last `stop` kills the daemons after JD_RGW_LINGER seconds (default 20)
# unless another test started meanwhile. JD_RGW_KEY overrides the key.
#
# Test identities (not secrets: they only open this throw-away cluster):
#   S3 user "jdtest":  access JDTESTACCESSKEY00001 / secret below, caps for STS
set -u
: "${JD_BUILD:=$(cd "$(dirname "$0")/../.." && pwd)/build}"
key=${JD_RGW_KEY:-$(printf '%s' "$JD_BUILD" | cksum | cut -d' ' -f1)}
dir=${TMPDIR:-/tmp}/jobdoc-rgw.$key
lock=$dir.lock
ACCESS=JDTESTACCESSKEY00001
SECRET=jdtestSecretKey0000000000000000000000001
ACCESS2=JDTESTACCESSKEY00002
SECRET2=jdtestSecretKey0000000000000000000000002
CEPH_ARGS="--conf $dir/ceph.conf"

die() { echo "rgw.sh: $*" >&2; exit 1; }

take_lock() {
	i=0
	while ! mkdir "$lock" 2>/dev/null; do
		i=$((i + 1))
		# a holder that died leaves the lock: break it after 120 s
		if [ "$i" -gt 1200 ]; then rm -rf "$lock"; i=0; fi
		sleep 0.1
	done
}
drop_lock() { rmdir "$lock" 2>/dev/null; }

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

alive() {
	[ -f "$dir/pids" ] || return 1
	for p in $(cat "$dir/pids"); do kill -0 "$p" 2>/dev/null || return 1; done
	[ -f "$dir/port" ] || return 1
	curl -s -o /dev/null --max-time 3 "http://127.0.0.1:$(cat "$dir/port")/" || return 1
}

kill_all() {
	if [ -f "$dir/pids" ]; then
		for p in $(cat "$dir/pids"); do kill "$p" 2>/dev/null; done
		i=0
		while [ $i -lt 50 ]; do
			live=0
			for p in $(cat "$dir/pids"); do kill -0 "$p" 2>/dev/null && live=1; done
			[ $live -eq 0 ] && break
			sleep 0.1; i=$((i + 1))
		done
		for p in $(cat "$dir/pids"); do kill -9 "$p" 2>/dev/null; done
	fi
	rm -rf "$dir"
}

ceph_() { ceph --conf "$dir/ceph.conf" "$@"; }

bootstrap() {
	rm -rf "$dir"
	mkdir -p "$dir/mon" "$dir/osd" "$dir/run" "$dir/log" "$dir/rgw" || die "cannot create $dir"
	fsid=$(python3 -c 'import uuid; print(uuid.uuid4())')
	osd_uuid=$(python3 -c 'import uuid; print(uuid.uuid4())')
	monport=$(free_port)
	port=$(free_port)
	[ "$monport" != "$port" ] || port=$(free_port)
	cat >"$dir/ceph.conf" <<CONF
[global]
fsid = $fsid
mon host = v2:127.0.0.1:$monport
mon initial members = a
public network = 127.0.0.0/8
auth cluster required = none
auth service required = none
auth client required = none
auth allow insecure global id reclaim = true
ms bind ipv6 = false
run dir = $dir/run
admin socket = $dir/run/\$name.asok
log file = $dir/log/\$name.log
pid file = $dir/run/\$name.pid
keyring = $dir/keyring
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
mon allow pool size one = true
mon allow pool delete = true
mon warn on pool no redundancy = false
mon max pg per osd = 1000
osd crush chooseleaf type = 0
osd objectstore = memstore
memstore device bytes = ${JD_RGW_BYTES:-6442450944}
osd max object size = 6442450944
osd data = $dir/osd
mon data = $dir/mon
debug ms = 0
log to stderr = false
err to stderr = false
[mon]
mon cluster log file = $dir/log/cluster.log
[client.rgw.jd]
# radosgw defaults to cephx and a secure mon connection: undo that
auth client required = none
ms mon client mode = crc
rgw frontends = beast endpoint=127.0.0.1:$port
rgw dns name = s3.localhost
rgw data = $dir/rgw
rgw sts key = jdtestStsKey0001
rgw s3 auth use sts = true
rgw enable usage log = false
rgw thread pool size = 64
CONF
	echo "$port" >"$dir/port"
	: >"$dir/pids"
	ceph-authtool --create-keyring "$dir/keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null || die "ceph-authtool failed"
	monmaptool --create --fsid "$fsid" --addv a "[v2:127.0.0.1:$monport]" "$dir/monmap" >/dev/null || die "monmaptool failed"
	ceph-mon --conf "$dir/ceph.conf" --mkfs -i a --monmap "$dir/monmap" --keyring "$dir/keyring" || die "ceph-mon --mkfs failed"
	setsid ceph-mon --conf "$dir/ceph.conf" -f -i a </dev/null >"$dir/log/mon.out" 2>&1 &
	echo $! >>"$dir/pids"
	ceph_ --connect-timeout 30 osd new "$osd_uuid" >"$dir/osd.id" || die "ceph osd new failed (see $dir/log)"
	id=$(cat "$dir/osd.id")
	ceph-osd --conf "$dir/ceph.conf" -i "$id" --mkfs --osd-uuid "$osd_uuid" >"$dir/log/osd-mkfs.out" 2>&1 || die "ceph-osd --mkfs failed"
	setsid ceph-osd --conf "$dir/ceph.conf" -f -i "$id" </dev/null >"$dir/log/osd.out" 2>&1 &
	echo $! >>"$dir/pids"
	setsid radosgw --conf "$dir/ceph.conf" -n client.rgw.jd -f </dev/null >"$dir/log/rgw.out" 2>&1 &
	echo $! >>"$dir/pids"
	i=0
	until curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$port/"; do
		i=$((i + 1))
		[ $i -gt 600 ] && die "radosgw did not answer on 127.0.0.1:$port in 60 s (see $dir/log)"
		for p in $(cat "$dir/pids"); do kill -0 "$p" 2>/dev/null || die "a ceph daemon died (see $dir/log)"; done
		sleep 0.1
	done
	for u in "jdtest $ACCESS $SECRET" "jdtest2 $ACCESS2 $SECRET2"; do
		set -- $u
		radosgw-admin --conf "$dir/ceph.conf" user create --uid="$1" --display-name="$1" \
			--access-key="$2" --secret-key="$3" >/dev/null 2>>"$dir/log/admin.out" || die "user create failed"
		radosgw-admin --conf "$dir/ceph.conf" caps add --uid="$1" --caps="user-policy=*;roles=*" \
			>/dev/null 2>>"$dir/log/admin.out" || die "caps add failed"
	done
	# both users may ask STS for session tokens (GetSessionToken)
	for u in "jdtest $ACCESS $SECRET" "jdtest2 $ACCESS2 $SECRET2"; do
		set -- $u
		code=$(curl -s -o "$dir/log/policy.out" -w '%{http_code}' --aws-sigv4 "aws:amz:us-east-1:iam" \
			--user "$2:$3" -X POST -H 'Content-Type: application/x-www-form-urlencoded' \
			--data-urlencode Action=PutUserPolicy --data-urlencode "UserName=$1" \
			--data-urlencode PolicyName=sts \
			--data-urlencode 'PolicyDocument={"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sts:GetSessionToken"],"Resource":"*"}]}' \
			"http://127.0.0.1:$port/")
		[ "$code" = 200 ] || die "PutUserPolicy for $1 answered $code"
	done
	echo 0 >"$dir/users"
}

start() {
	mkdir -p "$(dirname "$dir")"
	take_lock
	if ! alive; then
		kill_all
		t0=$(date +%s)
		( bootstrap ) || { [ -n "${JD_RGW_KEEP:-}" ] || kill_all; drop_lock; exit 1; }
		echo "# rgw started in $(( $(date +%s) - t0 )) s on port $(cat "$dir/port")" >&2
	fi
	n=$(cat "$dir/users" 2>/dev/null || echo 0)
	echo $((n + 1)) >"$dir/users"
	drop_lock
}

stop() {
	take_lock
	[ -d "$dir" ] || { drop_lock; return 0; }
	n=$(cat "$dir/users" 2>/dev/null || echo 1)
	n=$((n - 1))
	[ $n -lt 0 ] && n=0
	echo $n >"$dir/users"
	gen=$(date +%s%N)
	echo "$gen" >"$dir/gen"
	drop_lock
	[ $n -eq 0 ] || return 0
	linger=${JD_RGW_LINGER:-20}
	if [ "$linger" -eq 0 ]; then take_lock; kill_all; drop_lock; return 0; fi
	# the last user: stop after the linger unless someone joined meanwhile
	(
		sleep "$linger"
		take_lock
		if [ "$(cat "$dir/users" 2>/dev/null)" = 0 ] && [ "$(cat "$dir/gen" 2>/dev/null)" = "$gen" ]; then
			kill_all
		fi
		drop_lock
	) </dev/null >/dev/null 2>&1 &
}

env_() {
	[ -f "$dir/port" ] || die "not running (tests/peers/rgw.sh start)"
	port=$(cat "$dir/port")
	cat <<ENV
JD_RGW_DIR='$dir'; export JD_RGW_DIR
JD_RGW_PORT=$port; export JD_RGW_PORT
JD_RGW_ENDPOINT='http://127.0.0.1:$port'; export JD_RGW_ENDPOINT
JD_RGW_ACCESS=$ACCESS; export JD_RGW_ACCESS
JD_RGW_SECRET=$SECRET; export JD_RGW_SECRET
JD_RGW_ACCESS2=$ACCESS2; export JD_RGW_ACCESS2
JD_RGW_SECRET2=$SECRET2; export JD_RGW_SECRET2
ENV
}

case "${1:-}" in
start) start ;;
stop) stop ;;
kill) take_lock; kill_all; drop_lock ;;
env) env_ ;;
*) echo "usage: rgw.sh start|stop|kill|env" >&2; exit 2 ;;
esac
