#!/bin/sh
# jobdoc-presign: URLs for a fixed date (the signatures were cross-checked
# with botocore's S3SigV4QueryAuth), options, limits, exit codes, no secret.
. "${JD_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
for v in $(env | sed -n 's/^\(AWS_[A-Z0-9_]*\)=.*/\1/p'); do unset "$v"; done
export HOME="$T_TMP/home" AWS_EC2_METADATA_DISABLED=true
mkdir -p "$HOME"
SECRET=wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY
E="env AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=$SECRET AWS_REGION=us-east-1"
D="--date 2026-01-01T00:00:00Z"

t_run "--help" 0 jobdoc-presign --help
t_out_has "usage" "Usage: jobdoc-presign"
t_out_has "exit codes" "Exit status:"
t_run "--version" 0 jobdoc-presign --version
t_out_has "version" "jobdoc-presign (jobdoc)"

t_run "GET URL" 0 $E jobdoc-presign $D 's3://examplebucket/dir/a b+=&~$().txt'
cat >"$T_TMP/want" <<'X'
https://examplebucket.s3.us-east-1.amazonaws.com/dir/a%20b%2B%3D%26~%24%28%29.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20260101%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20260101T000000Z&X-Amz-SignedHeaders=host&X-Amz-Expires=3600&X-Amz-Signature=634ca3c57d03ade864fba6f0b506dd9ff35395776252d33da6f44b58fd767bed
X
t_same "GET URL bytes (botocore agrees)" "$T_TMP/want" "$T_TMP/out"

t_run "PUT URL with content type and token, custom endpoint" 0 env AWS_ACCESS_KEY_ID=AKIDEXAMPLE \
	AWS_SECRET_ACCESS_KEY=$SECRET AWS_SESSION_TOKEN='tok/en+=' jobdoc-presign $D --method PUT \
	--content-type application/octet-stream --endpoint http://127.0.0.1:7480 s3://bkt/k
cat >"$T_TMP/want" <<'X'
http://127.0.0.1:7480/bkt/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20260101%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20260101T000000Z&X-Amz-SignedHeaders=content-type%3Bhost&X-Amz-Expires=3600&X-Amz-Security-Token=tok%2Fen%2B%3D&X-Amz-Signature=69267761ed774c2199977725ca1f6fd871b899b8aec64f2b17e2164abb9dffa1
X
t_same "PUT URL bytes (botocore agrees)" "$T_TMP/want" "$T_TMP/out"

t_run "many URLs in one call" 0 $E jobdoc-presign $D s3://bkt/a s3://bkt/b s3://bkt/c
[ "$(wc -l <"$T_TMP/out")" -eq 3 ]
t_ok $? "three lines"
[ "$(sed -n 2p "$T_TMP/out" | cut -d'?' -f1)" = "https://bkt.s3.us-east-1.amazonaws.com/b" ]
t_ok $? "in order"
printf 's3://bkt/x\n\ns3://bkt/y\r\n' >"$T_TMP/list"
t_run "--from file" 0 $E jobdoc-presign $D s3://bkt/w --from "$T_TMP/list"
[ "$(cut -d'?' -f1 "$T_TMP/out" | tr '\n' ' ')" = "https://bkt.s3.us-east-1.amazonaws.com/w https://bkt.s3.us-east-1.amazonaws.com/x https://bkt.s3.us-east-1.amazonaws.com/y " ]
t_ok $? "arguments, then the file, blank lines and CR skipped"
t_run "--from stdin" 0 sh -c "printf 's3://bkt/z\n' | $E jobdoc-presign $D --from -"
t_out_has "from stdin" "https://bkt.s3.us-east-1.amazonaws.com/z?"

t_run "--path-style" 0 $E jobdoc-presign $D --path-style s3://bkt/k
t_out_has "path style on AWS" "https://s3.us-east-1.amazonaws.com/bkt/k?"
t_run "dotted bucket" 0 $E jobdoc-presign $D s3://my.bkt/k
t_out_has "path style for dots" "https://s3.us-east-1.amazonaws.com/my.bkt/k?"
t_run "--region" 0 $E jobdoc-presign $D --region eu-west-1 s3://bkt/k
t_out_has "region in host and scope" "https://bkt.s3.eu-west-1.amazonaws.com/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20260101%2Feu-west-1%2Fs3%2Faws4_request"
t_run "AWS_ENDPOINT_URL_S3" 0 $E AWS_ENDPOINT_URL_S3=http://localhost:9000/base jobdoc-presign $D s3://bkt/k
t_out_has "env endpoint, path style under base" "http://localhost:9000/base/bkt/k?"
t_run "unicode key" 0 $E jobdoc-presign $D "s3://bkt/été/✓"
t_out_has "UTF-8 encoded" "https://bkt.s3.us-east-1.amazonaws.com/%C3%A9t%C3%A9/%E2%9C%93?"
t_run "--expires 604800" 0 $E jobdoc-presign $D --expires 604800 s3://bkt/k
t_out_has "seven days" "X-Amz-Expires=604800&"
t_run "--expires 1" 0 $E jobdoc-presign $D -e 1 s3://bkt/k
t_out_has "one second" "X-Amz-Expires=1&"

# usage errors
t_run "--expires 604801" 2 $E jobdoc-presign --expires 604801 s3://bkt/k
t_err_has "out of range" "--expires '604801' out of range 1..604800"
t_run "--expires 0" 2 $E jobdoc-presign --expires 0 s3://bkt/k
t_run "--expires abc" 2 $E jobdoc-presign --expires abc s3://bkt/k
t_err_has "quoted" "invalid --expires 'abc'"
t_run "--method POST" 2 $E jobdoc-presign --method POST s3://bkt/k
t_run "--content-type with GET" 2 $E jobdoc-presign --content-type x/y s3://bkt/k
t_run "no URI" 2 $E jobdoc-presign
t_run "not an S3 URI" 2 $E jobdoc-presign https://bkt/k
t_err_has "message" "jobdoc-presign: not an S3 URI 'https://bkt/k'"
t_run "no key" 2 $E jobdoc-presign s3://bkt
t_err_has "no key" "no object key in 's3://bkt'"
printf 's3://bkt/ok\nnot-a-uri\n' >"$T_TMP/bad"
t_run "bad line in --from" 2 $E jobdoc-presign --from "$T_TMP/bad"
t_err_has "file:line" "bad:2:1: not an S3 URI 'not-a-uri'"
[ ! -s "$T_TMP/out" ]
t_ok $? "no partial output"
t_run "--from missing file" 3 $E jobdoc-presign --from "$T_TMP/nope"
t_run "bad --date" 2 $E jobdoc-presign --date 2026-13-01T00:00:00Z s3://bkt/k
t_err_has "date quoted" "invalid date '2026-13-01T00:00:00Z'"
t_run "bad endpoint" 2 $E jobdoc-presign --endpoint ftp://x s3://bkt/k
t_run "no region for AWS" 2 env AWS_ACCESS_KEY_ID=A AWS_SECRET_ACCESS_KEY=B jobdoc-presign s3://bkt/k
t_err_has "says so" "no region"
t_run "no credentials" 2 env AWS_REGION=us-east-1 jobdoc-presign s3://bkt/k
t_err_has "says so" "no credentials found"
! grep -q "$SECRET" "$T_TMP/out" "$T_TMP/err"
t_ok $? "no secret anywhere"

# profile
mkdir -p "$HOME/.aws"
printf '[p1]\naws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = %s\n' "$SECRET" >"$HOME/.aws/credentials"
printf '[profile p1]\nregion = us-east-1\n' >"$HOME/.aws/config"
t_run "--profile" 0 env AWS_ACCESS_KEY_ID=OTHER AWS_SECRET_ACCESS_KEY=other jobdoc-presign $D --profile p1 \
	's3://examplebucket/dir/a b+=&~$().txt'
t_out_has "same URL from the profile" "X-Amz-Signature=634ca3c57d03ade864fba6f0b506dd9ff35395776252d33da6f44b58fd767bed"
t_run "--profile missing" 2 jobdoc-presign --profile nope s3://bkt/k
t_err_has "profile not found" "the config profile 'nope' could not be found"
t_done
