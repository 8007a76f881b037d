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

# iot_start: the local IoT Jobs endpoint (tests/peers/iot-endpoint.py) for the
# RGW user, reading documentSource objects from RGW; AWS_ENDPOINT_URL_IOT is
# set, and it is stopped with the cluster at exit.
iot_start() {
	rm -f "$T_TMP/iot.port"
	/usr/bin/python3 "$JD_TOP/tests/peers/iot-endpoint.py" --port-file "$T_TMP/iot.port" \
		--lifetime 300 --access-key-id "$JD_RGW_ACCESS" --secret-access-key "$JD_RGW_SECRET" \
		--s3-endpoint "$JD_RGW_ENDPOINT" >/dev/null 2>"$T_TMP/iot.log" &
	IOT_PID=$!
	trap 'kill $IOT_PID 2>/dev/null; s3env_stop' EXIT
	i=0
	while [ ! -s "$T_TMP/iot.port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	[ -s "$T_TMP/iot.port" ] || { echo "Bail out! the IoT endpoint did not start"; exit 1; }
	export AWS_ENDPOINT_URL_IOT="http://127.0.0.1:$(cat "$T_TMP/iot.port")"
}
