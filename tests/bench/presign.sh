#!/bin/sh
# Benchmark: 10,000 presigned URLs in one jobdoc-presign call (target:
# < 100 ms), against the peer figure of `aws s3 presign` (Debian awscli,
# /usr/bin/aws) for one URL, measured in the same run. Medians of 5 (jobdoc)
# and 3 (aws) runs. Offline: presigning makes no request.
set -e
: "${JD_TOP:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${JD_BUILD:=$JD_TOP/build}"
BIN="$JD_BUILD/bin/jobdoc-presign"
AWS=/usr/bin/aws
N=10000
tmp=$(mktemp -d "${TMPDIR:-/tmp}/jdbench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
for v in $(env | sed -n 's/^\(AWS_[A-Z0-9_]*\)=.*/\1/p'); do unset "$v"; done
export HOME="$tmp" AWS_EC2_METADATA_DISABLED=true AWS_REGION=us-east-1 \
	AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY

[ -x "$BIN" ] || { echo "presign: $BIN not built" >&2; exit 1; }
[ -x "$AWS" ] || { echo "presign: $AWS missing (Debian awscli)" >&2; exit 1; }
i=0
while [ $i -lt $N ]; do echo "s3://bench-bucket/releases/v1.$i/firmware image+$i.bin"; i=$((i + 1)); done >"$tmp/uris"

now_ms() { date +%s%N | cut -c1-13; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

: >"$tmp/j"
: >"$tmp/c"
for r in 1 2 3 4 5; do
	t0=$(now_ms)
	/usr/bin/time -f '%U %S' -o "$tmp/time" "$BIN" --from "$tmp/uris" --expires 3600 >"$tmp/out"
	t1=$(now_ms)
	echo $((t1 - t0)) >>"$tmp/j"
	awk '{ printf "%d\n", ($1 + $2) * 1000 }' "$tmp/time" >>"$tmp/c"
done
lines=$(wc -l <"$tmp/out")
[ "$lines" -eq $N ] || { echo "presign: got $lines URLs, want $N" >&2; exit 1; }
jd=$(median <"$tmp/j")
cpu=$(median <"$tmp/c")

: >"$tmp/a"
for r in 1 2 3; do
	t0=$(now_ms)
	"$AWS" s3 presign "s3://bench-bucket/releases/v1.0/firmware image+0.bin" --expires-in 3600 >/dev/null
	t1=$(now_ms)
	echo $((t1 - t0)) >>"$tmp/a"
done
aws=$(median <"$tmp/a")

[ "$jd" -gt 0 ] || jd=1
verdict=FAIL
[ "$jd" -lt 100 ] && verdict=ok
echo "presign: jobdoc-presign $N URLs in one call: ${jd} ms wall, ${cpu} ms CPU (target < 100 ms: $verdict)"
echo "presign: load average at the time: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "presign: aws s3 presign, 1 URL: ${aws} ms"
awk -v j="$jd" -v a="$aws" -v n=$N 'BEGIN {
	printf "presign: ratio aws(1 URL) / jobdoc(%d URLs) = %.1fx; per URL: %.0fx faster (%.2f us vs %.0f ms)\n",
	       n, a / j, a / (j / n), j * 1000 / n, a }'
