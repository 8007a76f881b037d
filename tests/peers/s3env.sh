# Sourced by the S3 tests after tests/lib.sh: starts (or joins) the shared
# RGW (tests/peers/rgw.sh), gives a clean AWS environment pointing at it,
# and a fresh bucket $BUCKET. Helpers:
#   s3_admin METHOD PATH [CURL ARGS]  a request signed by curl --aws-sigv4
#   sha FILE                          hex SHA-256 of FILE
#   get_url URL FILE                  GET URL into FILE, prints the status
for v in $(env | sed -n 's/^\(AWS_[A-Z0-9_]*\)=.*/\1/p'); do unset "$v"; done
export HOME="$T_TMP/home" AWS_EC2_METADATA_DISABLED=true
mkdir -p "$HOME"
RGW="$JD_TOP/tests/peers/rgw.sh"
PROBE="$JD_BUILD/tests/helpers/s3-probe"
if ! sh "$RGW" start >"$T_TMP/rgw.log" 2>&1; then
	echo "Bail out! RGW did not start: $(tail -3 "$T_TMP/rgw.log")"
	exit 1
fi
s3env_stop() { sh "$RGW" stop; t_cleanup; }
trap s3env_stop EXIT
eval "$(sh "$RGW" env)"
export AWS_ACCESS_KEY_ID="$JD_RGW_ACCESS" AWS_SECRET_ACCESS_KEY="$JD_RGW_SECRET"
export AWS_REGION=us-east-1 AWS_ENDPOINT_URL="$JD_RGW_ENDPOINT"
export AWS_CONFIG_FILE="$HOME/config" AWS_SHARED_CREDENTIALS_FILE="$HOME/credentials"
: >"$AWS_CONFIG_FILE"
: >"$AWS_SHARED_CREDENTIALS_FILE"

s3_admin() {
	m=$1 p=$2
	shift 2
	curl -s --aws-sigv4 "aws:amz:us-east-1:s3" --user "$JD_RGW_ACCESS:$JD_RGW_SECRET" \
		-H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' -X "$m" "$JD_RGW_ENDPOINT$p" "$@"
}
sha() { sha256sum "$1" | cut -d' ' -f1; }
get_url() { curl -s -o "$2" -w '%{http_code}' "$1"; }

BUCKET="jdt-$(basename "$0" .t)-$$-$(date +%s)"
code=$(s3_admin PUT "/$BUCKET" -o /dev/null -w '%{http_code}')
if [ "$code" != 200 ]; then
	echo "Bail out! cannot create bucket $BUCKET: HTTP $code"
	exit 1
fi
