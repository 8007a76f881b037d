#!/bin/sh
# Benchmark: a 1 GiB upload to a real S3 (Ceph RGW on loopback, memstore) by
# jobdoc-upload (defaults), by `aws s3 cp` (Debian awscli, defaults) and by
# `curl -T` to a presigned PUT URL, in the same run against the same RGW.
# Medians of JD_BENCH_RUNS (3) runs each, interleaved. Targets: jobdoc >= 2x
# aws s3 cp's throughput, >= 0.9x curl's; jobdoc's peak RSS <= 64 MiB.
set -e
: "${JD_TOP:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${JD_BUILD:=$JD_TOP/build}"
export JD_TOP JD_BUILD
UP="$JD_BUILD/bin/jobdoc-upload"
PRESIGN="$JD_BUILD/bin/jobdoc-presign"
AWS=/usr/bin/aws
RUNS=${JD_BENCH_RUNS:-3}
SIZE_MIB=${JD_BENCH_MIB:-1024}
RGW="$JD_TOP/tests/peers/rgw.sh"
for f in "$UP" "$PRESIGN" "$AWS" /usr/bin/time; do
	[ -x "$f" ] || { echo "upload: $f missing" >&2; exit 1; }
done
tmp=$(mktemp -d "${TMPDIR:-/tmp}/jdbench.XXXXXX")
# room for every run's objects in memory
export JD_RGW_KEY="bench-$$" JD_RGW_BYTES=$((24 << 30)) JD_RGW_LINGER=0
cleanup() { sh "$RGW" stop >/dev/null 2>&1; rm -rf "$tmp"; }
trap cleanup EXIT
sh "$RGW" start >"$tmp/rgw.log" 2>&1 || { cat "$tmp/rgw.log" >&2; exit 1; }
eval "$(sh "$RGW" env)"
for v in $(env | sed -n 's/^\(AWS_[A-Z0-9_]*\)=.*/\1/p'); do unset "$v"; done
export HOME="$tmp" AWS_EC2_METADATA_DISABLED=true AWS_REGION=us-east-1 \
	AWS_ACCESS_KEY_ID="$JD_RGW_ACCESS" AWS_SECRET_ACCESS_KEY="$JD_RGW_SECRET" \
	AWS_ENDPOINT_URL="$JD_RGW_ENDPOINT" AWS_CONFIG_FILE="$tmp/config" \
	AWS_SHARED_CREDENTIALS_FILE="$tmp/credentials"
: >"$tmp/config"
: >"$tmp/credentials"
curl -s -o /dev/null --aws-sigv4 "aws:amz:us-east-1:s3" --user "$JD_RGW_ACCESS:$JD_RGW_SECRET" \
	-H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' -X PUT "$JD_RGW_ENDPOINT/bench"
head -c $((SIZE_MIB << 20)) /dev/urandom >"$tmp/file"
cat "$tmp/file" >/dev/null # in the page cache for everyone

now_ms() { date +%s%N | cut -c1-13; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
: >"$tmp/t.jobdoc"
: >"$tmp/t.aws"
: >"$tmp/t.curl"
: >"$tmp/rss"
r=1
while [ $r -le "$RUNS" ]; do
	t0=$(now_ms)
	/usr/bin/time -v -o "$tmp/time.out" "$UP" -q "$tmp/file" "s3://bench/jobdoc-$r.bin" >"$tmp/j.json"
	t1=$(now_ms)
	echo $((t1 - t0)) >>"$tmp/t.jobdoc"
	sed -n 's/.*Maximum resident set size (kbytes): //p' "$tmp/time.out" >>"$tmp/rss"

	t0=$(now_ms)
	"$AWS" --endpoint-url "$JD_RGW_ENDPOINT" s3 cp --only-show-errors "$tmp/file" "s3://bench/aws-$r.bin"
	t1=$(now_ms)
	echo $((t1 - t0)) >>"$tmp/t.aws"

	url=$("$PRESIGN" --method PUT "s3://bench/curl-$r.bin")
	t0=$(now_ms)
	code=$(curl -s -o /dev/null -w '%{http_code}' -T "$tmp/file" "$url")
	t1=$(now_ms)
	[ "$code" = 200 ] || { echo "upload: curl -T answered $code" >&2; exit 1; }
	echo $((t1 - t0)) >>"$tmp/t.curl"
	r=$((r + 1))
done
want=$(sha256sum "$tmp/file" | cut -d' ' -f1)
grep -q "\"sha256\": \"$want\"" "$tmp/j.json" || { echo "upload: jobdoc's sha256 is wrong" >&2; exit 1; }

j=$(median <"$tmp/t.jobdoc")
a=$(median <"$tmp/t.aws")
c=$(median <"$tmp/t.curl")
rss=$(sort -n "$tmp/rss" | tail -1)
awk -v j="$j" -v a="$a" -v c="$c" -v rss="$rss" -v mib="$SIZE_MIB" -v runs="$RUNS" 'BEGIN {
	printf "upload: %d MiB to RGW (memstore), medians of %d runs\n", mib, runs
	printf "  jobdoc-upload     %7.2f s  %6.1f MiB/s\n", j / 1000, mib * 1000 / j
	printf "  aws s3 cp         %7.2f s  %6.1f MiB/s\n", a / 1000, mib * 1000 / a
	printf "  curl -T presigned %7.2f s  %6.1f MiB/s\n", c / 1000, mib * 1000 / c
	printf "  jobdoc / aws  = %.2fx (target >= 2)   %s\n", a / j, (a / j >= 2) ? "ok" : "MISSED"
	printf "  jobdoc / curl = %.2fx (target >= 0.9) %s\n", c / j, (c / j >= 0.9) ? "ok" : "MISSED"
	printf "  jobdoc peak RSS %.1f MiB (target <= 64) %s\n", rss / 1024, (rss / 1024 <= 64) ? "ok" : "MISSED"
}'
