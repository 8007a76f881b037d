#!/bin/sh
# jobdoc-upload and presigned URLs against a real S3 (Ceph RGW on loopback,
# which checks signatures, payload hashes, Content-MD5, expiry and session
# tokens as AWS does): byte-exact round trips, awkward keys, presigned
# GET/PUT with plain curl and their refusals, profile and STS credentials,
# virtual-hosted style, --document, --prefix, no secret in --verbose.
. "${JD_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
. "$JD_TOP/tests/peers/s3env.sh"
MP="--multipart-threshold 5MiB --part-size 5MiB"

t_run "--help" 0 jobdoc-upload --help
t_out_has "help: usage" "Usage: jobdoc-upload"
t_out_has "help: exit codes" "Exit status:"
t_run "--version" 0 jobdoc-upload --version
t_run "no arguments" 2 jobdoc-upload
t_run "not an S3 URI" 2 jobdoc-upload /dev/null http://x/y
t_run "bad --jobs" 2 jobdoc-upload --jobs 0 /dev/null s3://b/k
t_run "bad --part-size" 2 jobdoc-upload --part-size 1MiB /dev/null s3://b/k
t_run "missing file" 3 jobdoc-upload "$T_TMP/nope" "s3://$BUCKET/k"
t_err_has "missing file named" "nope"

# ---- byte-exact round trips ----
roundtrip() { # roundtrip NAME SIZE-BYTES KEY [OPTIONS]
	name=$1 size=$2 key=$3
	shift 3
	head -c "$size" /dev/urandom >"$T_TMP/src"
	t_run "upload $name" 0 jobdoc-upload "$@" "$T_TMP/src" "s3://$BUCKET/$key"
	cp "$T_TMP/out" "$T_TMP/answer"
	want=$(sha "$T_TMP/src")
	grep -q "\"sha256\": \"$want\"" "$T_TMP/answer"
	t_ok $? "$name: sha256 in the answer"
	grep -q "\"size\": $size," "$T_TMP/answer"
	t_ok $? "$name: size in the answer"
	url=$(jobdoc-presign "s3://$BUCKET/$key")
	code=$(get_url "$url" "$T_TMP/back")
	[ "$code" = 200 ] && [ "$(sha "$T_TMP/back")" = "$want" ]
	t_ok $? "$name: GET back is byte-exact (HTTP $code)"
}
roundtrip "0 B" 0 empty.bin
roundtrip "1 KiB" 1024 one-k.bin
roundtrip "exactly 5 MiB" 5242880 five-m.bin $MP
grep -q '"etag": "[0-9a-f]\{32\}"' "$T_TMP/answer"
t_ok $? "5 MiB: one PUT (plain MD5 ETag)"
roundtrip "5 MiB + 1" 5242881 five-m-1.bin $MP
grep -q '"etag": "[0-9a-f]\{32\}-2"' "$T_TMP/answer"
t_ok $? "5 MiB + 1: two parts"
roundtrip "5 MiB + 1, --checksum md5" 5242881 five-m-md5.bin $MP --checksum md5
grep -q '"etag": "[0-9a-f]\{32\}-2"' "$T_TMP/answer"
t_ok $? "--checksum md5: two parts, ETags compared"
roundtrip "100 MiB" 104857600 hundred-m.bin --jobs 4
grep -q '"etag": "[0-9a-f]\{32\}-13"' "$T_TMP/answer"
t_ok $? "100 MiB: 13 parts of 8 MiB"

# ---- keys ----
roundtrip "key with spaces" 3000 "dir/a file with spaces.txt"
roundtrip "unicode key" 3000 "ünïcødé/ファイル ☃.bin"
roundtrip "key with + = & ~ \$ ( )" 3000 'x/a+b=c&d~e$f(g)h.bin'
grep -qF '"placeholder": "${aws:iot:s3-presigned-url-v2:'"$JD_RGW_ENDPOINT/$BUCKET"'/x/a%2Bb%3Dc%26d~e%24f%28g%29h.bin}"' "$T_TMP/answer"
t_ok $? "placeholder: key percent-encoded, '/' kept"
roundtrip "multipart, awkward key" 5242881 'mp/ü + (1) & $x.bin' $MP

# ---- presigned URLs with plain curl ----
printf 'presigned payload\n' >"$T_TMP/small"
jobdoc-upload "$T_TMP/small" "s3://$BUCKET/p/obj.txt" >/dev/null
get=$(jobdoc-presign "s3://$BUCKET/p/obj.txt")
[ "$(get_url "$get" "$T_TMP/g")" = 200 ] && cmp -s "$T_TMP/g" "$T_TMP/small"
t_ok $? "presigned GET with curl"
bad=$(printf %s "$get" | sed 's/X-Amz-Signature=\(.\)/X-Amz-Signature=0\1/; s/\(X-Amz-Signature=.*\).$/\1/')
[ "$(get_url "$bad" /dev/null)" = 403 ]
t_ok $? "tampered signature: 403"
bad=$(printf %s "$get" | sed 's|/p/obj.txt|/p/obj.txT|')
[ "$(get_url "$bad" /dev/null)" = 403 ]
t_ok $? "tampered key: 403"
bad=$(printf %s "$get" | sed 's/X-Amz-Expires=3600/X-Amz-Expires=3601/')
[ "$(get_url "$bad" /dev/null)" = 403 ]
t_ok $? "tampered expiry: 403"
old=$(jobdoc-presign --expires 60 --date "$(date -u -d '-10 minutes' +%Y-%m-%dT%H:%M:%SZ)" "s3://$BUCKET/p/obj.txt")
[ "$(get_url "$old" /dev/null)" = 403 ]
t_ok $? "expired URL: 403"
[ "$(curl -s -o /dev/null -w '%{http_code}' -T "$T_TMP/small" "$get")" = 403 ]
t_ok $? "GET URL used to PUT: 403"
put=$(jobdoc-presign --method PUT "s3://$BUCKET/p/put.bin")
head -c 70000 /dev/urandom >"$T_TMP/pp"
[ "$(curl -s -o /dev/null -w '%{http_code}' -T "$T_TMP/pp" "$put")" = 200 ]
t_ok $? "presigned PUT with curl -T"
[ "$(get_url "$(jobdoc-presign "s3://$BUCKET/p/put.bin")" "$T_TMP/g")" = 200 ] && cmp -s "$T_TMP/g" "$T_TMP/pp"
t_ok $? "presigned PUT: object is byte-exact"
[ "$(get_url "$put" /dev/null)" = 403 ]
t_ok $? "PUT URL used to GET: 403"
bad=$(printf %s "$put" | sed 's|/p/put.bin|/p/other.bin|')
[ "$(curl -s -o /dev/null -w '%{http_code}' -T "$T_TMP/pp" "$bad")" = 403 ]
t_ok $? "PUT URL for another key: 403"

put=$(jobdoc-presign --method PUT "s3://$BUCKET/p/via-tool.bin")
t_run "--presigned-url, no credentials" 0 env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY \
	jobdoc-upload --presigned-url "$put" "$T_TMP/pp"
t_out_has "--presigned-url: sha256" "\"sha256\": \"$(sha "$T_TMP/pp")\""
t_out_has "--presigned-url: bucket" "\"bucket\": \"$BUCKET\""
t_out_has "--presigned-url: key" "\"key\": \"p/via-tool.bin\""
! grep -q 'X-Amz-Signature' "$T_TMP/out"
t_ok $? "--presigned-url: the signature is not printed"
[ "$(get_url "$(jobdoc-presign "s3://$BUCKET/p/via-tool.bin")" "$T_TMP/g")" = 200 ] && cmp -s "$T_TMP/g" "$T_TMP/pp"
t_ok $? "--presigned-url: object is byte-exact"
t_run "--presigned-url, tampered" 5 jobdoc-upload --presigned-url "$(printf %s "$put" | sed 's/X-Amz-Expires=3600/X-Amz-Expires=60/')" "$T_TMP/pp"
t_err_has "tampered: the 403 in the message" "HTTP 403 AccessDenied"
! grep -q 'X-Amz-Signature=[0-9a-f]' "$T_TMP/err"
t_ok $? "tampered: the signature is not in the message"

# ---- credentials ----
cat >"$AWS_SHARED_CREDENTIALS_FILE" <<X
[jd]
aws_access_key_id = $JD_RGW_ACCESS
aws_secret_access_key = $JD_RGW_SECRET
[wrong]
aws_access_key_id = $JD_RGW_ACCESS
aws_secret_access_key = not-the-secret
X
head -c 6000000 /dev/urandom >"$T_TMP/src"
t_run "profile credentials" 0 env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY \
	AWS_PROFILE=jd jobdoc-upload $MP "$T_TMP/src" "s3://$BUCKET/profile.bin"
t_out_has "profile: sha256" "\"sha256\": \"$(sha "$T_TMP/src")\""
t_run "wrong secret in profile" 5 env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY \
	AWS_PROFILE=wrong jobdoc-upload "$T_TMP/small" "s3://$BUCKET/wrong.bin"
t_err_has "wrong secret: the 403 in the message" "PUT s3://$BUCKET/wrong.bin: HTTP 403"
! grep -q 'not-the-secret' "$T_TMP/err"
t_ok $? "wrong secret: not in the message"

sts=$(curl -s --aws-sigv4 "aws:amz:us-east-1:sts" --user "$JD_RGW_ACCESS:$JD_RGW_SECRET" -X POST \
	-d 'Action=GetSessionToken&Version=2011-06-15&DurationSeconds=900' "$JD_RGW_ENDPOINT/")
tid=$(printf %s "$sts" | sed -n 's:.*<AccessKeyId>\(.*\)</AccessKeyId>.*:\1:p')
tsec=$(printf %s "$sts" | sed -n 's:.*<SecretAccessKey>\(.*\)</SecretAccessKey>.*:\1:p')
ttok=$(printf %s "$sts" | sed -n 's:.*<SessionToken>\(.*\)</SessionToken>.*:\1:p')
[ -n "$tid" ] && [ -n "$tsec" ] && [ -n "$ttok" ]
t_ok $? "STS GetSessionToken"
t_run "session-token credentials, multipart" 0 env AWS_ACCESS_KEY_ID="$tid" AWS_SECRET_ACCESS_KEY="$tsec" \
	AWS_SESSION_TOKEN="$ttok" jobdoc-upload $MP "$T_TMP/src" "s3://$BUCKET/sts.bin"
t_out_has "sts: sha256" "\"sha256\": \"$(sha "$T_TMP/src")\""
t_run "session-token credentials, single PUT, verbose" 0 env AWS_ACCESS_KEY_ID="$tid" \
	AWS_SECRET_ACCESS_KEY="$tsec" AWS_SESSION_TOKEN="$ttok" jobdoc-upload -v "$T_TMP/small" "s3://$BUCKET/sts-small.bin"
t_err_has "verbose: Authorization redacted" "Authorization: REDACTED"
t_err_has "verbose: token redacted" "X-Amz-Security-Token: REDACTED"
! grep -qF -e "$tsec" -e "$ttok" "$T_TMP/err"
t_ok $? "verbose: no secret key, no token"
bad=$(printf %s "$ttok" | sed 's/^\(.\)\(.\)/\2\1/')
t_run "altered session token" 5 env AWS_ACCESS_KEY_ID="$tid" AWS_SECRET_ACCESS_KEY="$tsec" \
	AWS_SESSION_TOKEN="$bad" jobdoc-upload "$T_TMP/small" "s3://$BUCKET/sts-bad.bin"
t_err_has "altered token: refused" "sts-bad.bin: HTTP 400 InvalidArgument"
t_run "session token left out" 5 env AWS_ACCESS_KEY_ID="$tid" AWS_SECRET_ACCESS_KEY="$tsec" \
	jobdoc-upload "$T_TMP/small" "s3://$BUCKET/sts-none.bin"

# ---- virtual-hosted style: BUCKET.s3.localhost:PORT ----
cat >"$AWS_CONFIG_FILE" <<X
[default]
s3 =
  addressing_style = virtual
X
t_run "virtual-hosted style" 0 jobdoc-upload -v $MP --endpoint "http://s3.localhost:$JD_RGW_PORT" \
	"$T_TMP/src" "s3://$BUCKET/virtual.bin"
t_err_has "virtual: Host is BUCKET.s3.localhost" "Host: $BUCKET.s3.localhost:$JD_RGW_PORT"
t_out_has "virtual: sha256" "\"sha256\": \"$(sha "$T_TMP/src")\""
: >"$AWS_CONFIG_FILE"

# ---- --prefix and --document ----
t_run "--prefix" 0 jobdoc-upload --prefix FW_ "$T_TMP/small" "s3://$BUCKET/fw.bin"
t_out_has "--prefix: FW_url" "\"FW_url\": \"$JD_RGW_ENDPOINT/$BUCKET/fw.bin\""
t_out_has "--prefix: FW_placeholder" "\"FW_placeholder\": \"\${aws:iot:s3-presigned-url-v2:$JD_RGW_ENDPOINT/$BUCKET/fw.bin}\""
! grep -q '"versionId"\|null' "$T_TMP/out"
t_ok $? "--prefix: no null values"
cat >"$T_TMP/req.json" <<'X'
{"targets":["arn:aws:iot:us-east-1:123456789012:thing/t1"],"document":"{\"operation\":\"install\",\"url\":\"${aws:iot:s3-presigned-url-v2:https://s3.us-east-1.amazonaws.com/b/fw.bin}\"}","description":"d"}
X
t_run "--document" 0 jobdoc-upload --document "$T_TMP/req.json" "s3://$BUCKET/jobs/doc 1.json"
printf '%s\n' '{"targets":["arn:aws:iot:us-east-1:123456789012:thing/t1"],"documentSource":"'"$JD_RGW_ENDPOINT/$BUCKET"'/jobs/doc%201.json","description":"d"}' >"$T_TMP/want"
t_same "--document: request rewritten with documentSource" "$T_TMP/want" "$T_TMP/out"
"$PROBE" get "$BUCKET" "jobs/doc 1.json" "$T_TMP/g"
printf '%s' '{"operation":"install","url":"${aws:iot:s3-presigned-url-v2:https://s3.us-east-1.amazonaws.com/b/fw.bin}"}' >"$T_TMP/want"
t_same "--document: the object is the document" "$T_TMP/want" "$T_TMP/g"
printf '{"targets":[],"documentSource":"x"}' >"$T_TMP/req2.json"
t_run "--document without document" 3 jobdoc-upload --document "$T_TMP/req2.json" "s3://$BUCKET/x.json"

t_run "no bucket" 5 jobdoc-upload "$T_TMP/small" "s3://no-such-bucket-$$/k"
t_err_has "no bucket: S3 code" "NoSuchBucket"
"$PROBE" uploads "$BUCKET" >"$T_TMP/uploads"
[ ! -s "$T_TMP/uploads" ]
t_ok $? "no multipart upload left behind"
t_done
