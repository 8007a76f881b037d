#!/bin/sh
# Credentials, region and endpoints as the AWS CLI finds them: environment,
# profile files, container endpoint and IMDSv2 against loopback fixtures
# (tests/peers/metadata-server.py), never the real link-local addresses.
. "${JD_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
DUMP="$JD_BUILD/tests/helpers/creds-dump"
PIDS=
stop_servers() { for p in $PIDS; do kill "$p" 2>/dev/null; done; t_cleanup; }
trap stop_servers EXIT

# A clean environment: no AWS_* from the caller, HOME in the temp dir.
for v in $(env | sed -n 's/^\(AWS_[A-Z0-9_]*\)=.*/\1/p'); do unset "$v"; done
export HOME="$T_TMP/home"
mkdir -p "$HOME/.aws"
export AWS_EC2_METADATA_DISABLED=true

h16() { printf %s "$1" | sha256sum | cut -c1-16; }

start_server() { # start_server NAME ARGS...: sets PORT_<NAME>
	name=$1
	shift
	python3 "$JD_TOP/tests/peers/metadata-server.py" --port-file "$T_TMP/port.$name" \
		--log "$T_TMP/log.$name" "$@" &
	PIDS="$PIDS $!"
	i=0
	while [ ! -s "$T_TMP/port.$name" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
	eval "PORT_$name=\$(cat \"\$T_TMP/port.$name\")"
}

cat >"$HOME/.aws/credentials" <<'X'
# comment
[default]
aws_access_key_id = AKDEFAULT
aws_secret_access_key = secret-default

[dev]
aws_access_key_id=AKDEV
aws_secret_access_key=secret-dev
aws_session_token = token-dev

[partial]
aws_access_key_id = AKPARTIAL
X
cat >"$HOME/.aws/config" <<'X'
[default]
region = us-west-2

[profile  cfgonly]
region = eu-central-1
aws_access_key_id = AKCFG
aws_secret_access_key = secret-cfg
endpoint_url = http://127.0.0.1:9999
s3 =
  addressing_style = path
ca_bundle = ~/ca.pem

[profile svc]
aws_access_key_id = AKSVC
aws_secret_access_key = secret-svc
services = local
endpoint_url = http://127.0.0.1:1111

[services local]
s3 =
  endpoint_url = http://127.0.0.1:2222
iot =
  endpoint_url = http://127.0.0.1:3333

[profile proc]
credential_process = /bin/false

[profile dev]
region = ap-south-1
X

# --- environment
t_run "env credentials" 0 env AWS_ACCESS_KEY_ID=AKENV AWS_SECRET_ACCESS_KEY=secret-env \
	AWS_SESSION_TOKEN=token-env "$DUMP"
t_out_has "source environment" "source=environment"
t_out_has "env key id" "access_key_id=AKENV"
t_out_has "env secret" "secret=$(h16 secret-env)"
t_out_has "env token" "token=$(h16 token-env)"
t_run "env beats AWS_PROFILE" 0 env AWS_PROFILE=dev AWS_ACCESS_KEY_ID=AKENV \
	AWS_SECRET_ACCESS_KEY=secret-env "$DUMP"
t_out_has "env wins over AWS_PROFILE" "access_key_id=AKENV"
t_out_has "AWS_PROFILE still names the profile" "profile=dev"
t_run "--profile beats env" 0 env AWS_ACCESS_KEY_ID=AKENV AWS_SECRET_ACCESS_KEY=secret-env \
	"$DUMP" --profile dev
t_out_has "--profile wins over env" "access_key_id=AKDEV"
t_run "partial env refused" 2 env AWS_ACCESS_KEY_ID=AKENV "$DUMP"
t_err_has "says partial" "partial credentials in the environment"

# --- files
t_run "default profile" 0 "$DUMP"
t_out_has "default key" "access_key_id=AKDEFAULT"
t_out_has "default from the credentials file" "source=shared-credentials-file"
t_out_has "no token" "token=none"
t_out_has "default region from config" "region=us-west-2"
t_run "AWS_PROFILE=dev" 0 env AWS_PROFILE=dev "$DUMP"
t_out_has "dev key" "access_key_id=AKDEV"
t_out_has "dev secret" "secret=$(h16 secret-dev)"
t_out_has "dev token" "token=$(h16 token-dev)"
t_out_has "dev region from [profile dev]" "region=ap-south-1"
t_run "config [profile x] credentials" 0 "$DUMP" --profile cfgonly
t_out_has "config file source" "source=config-file"
t_out_has "config key" "access_key_id=AKCFG"
t_out_has "config region" "region=eu-central-1"
t_out_has "profile endpoint_url" "endpoint=http://127.0.0.1:9999"
t_out_has "nested s3 addressing_style" "addressing_style=path"
t_out_has "ca_bundle, ~ expanded" "ca_bundle=$HOME/ca.pem"
t_run "missing profile" 2 "$DUMP" --profile nosuch
t_err_has "says not found" "the config profile 'nosuch' could not be found"
t_run "missing AWS_PROFILE" 2 env AWS_PROFILE=nosuch "$DUMP"
t_run "partial profile" 3 "$DUMP" --profile partial
t_err_has "names what is missing" "need both aws_access_key_id and aws_secret_access_key"
t_run "credential_process unsupported" 2 "$DUMP" --profile proc
t_err_has "says so" "uses credential_process"
mkdir -p "$T_TMP/alt"
printf '[alt]\naws_access_key_id = AKALT\naws_secret_access_key = secret-alt\n' >"$T_TMP/alt/c"
printf '[profile alt]\nregion = sa-east-1\n' >"$T_TMP/alt/f"
t_run "AWS_SHARED_CREDENTIALS_FILE, AWS_CONFIG_FILE" 0 env AWS_SHARED_CREDENTIALS_FILE="$T_TMP/alt/c" \
	AWS_CONFIG_FILE="$T_TMP/alt/f" AWS_PROFILE=alt "$DUMP"
t_out_has "alternative credentials file" "access_key_id=AKALT"
t_out_has "alternative config file" "region=sa-east-1"
printf '[broken\n' >"$T_TMP/alt/bad"
t_run "malformed config" 3 env AWS_CONFIG_FILE="$T_TMP/alt/bad" "$DUMP"
t_err_has "says where" "bad:1:1"

# --- region precedence
t_run "AWS_DEFAULT_REGION over config" 0 env AWS_DEFAULT_REGION=eu-west-3 "$DUMP"
t_out_has "AWS_DEFAULT_REGION" "region=eu-west-3"
t_run "AWS_REGION over AWS_DEFAULT_REGION" 0 env AWS_REGION=eu-north-1 AWS_DEFAULT_REGION=eu-west-3 "$DUMP"
t_out_has "AWS_REGION" "region=eu-north-1"
t_run "--region over all" 0 env AWS_REGION=eu-north-1 "$DUMP" --region me-south-1
t_out_has "--region" "region=me-south-1"

# --- endpoints
t_run "no endpoint" 0 "$DUMP"
t_out_has "AWS default" "endpoint=none"
t_run "AWS_ENDPOINT_URL" 0 env AWS_ENDPOINT_URL=http://127.0.0.1:7000 "$DUMP"
t_out_has "global endpoint" "endpoint=http://127.0.0.1:7000"
t_run "AWS_ENDPOINT_URL_S3 over AWS_ENDPOINT_URL" 0 env AWS_ENDPOINT_URL=http://127.0.0.1:7000 \
	AWS_ENDPOINT_URL_S3=http://127.0.0.1:7001 "$DUMP"
t_out_has "service endpoint" "endpoint=http://127.0.0.1:7001"
t_run "AWS_ENDPOINT_URL_IOT for iot" 0 env AWS_ENDPOINT_URL_S3=http://127.0.0.1:7001 \
	AWS_ENDPOINT_URL_IOT=http://127.0.0.1:7002 "$DUMP" --service iot
t_out_has "iot endpoint" "endpoint=http://127.0.0.1:7002"
t_run "--endpoint over all" 0 env AWS_ENDPOINT_URL_S3=http://127.0.0.1:7001 "$DUMP" \
	--endpoint https://s3.example.com
t_out_has "--endpoint" "endpoint=https://s3.example.com"
t_run "services section" 0 "$DUMP" --profile svc
t_out_has "[services local] s3" "endpoint=http://127.0.0.1:2222"
t_run "services section, iot" 0 "$DUMP" --profile svc --service iot
t_out_has "[services local] iot" "endpoint=http://127.0.0.1:3333"
t_run "ignore configured endpoints" 0 env AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true \
	AWS_ENDPOINT_URL=http://127.0.0.1:7000 "$DUMP" --profile svc
t_out_has "all ignored" "endpoint=none"
t_run "bad endpoint" 2 env AWS_ENDPOINT_URL_S3=ftp://x "$DUMP"
t_err_has "names the variable" "AWS_ENDPOINT_URL_S3: invalid endpoint URL 'ftp://x'"
t_run "AWS_CA_BUNDLE" 0 env AWS_CA_BUNDLE=/etc/ssl/x.pem "$DUMP"
t_out_has "CA bundle" "ca_bundle=/etc/ssl/x.pem"

# --- container credentials endpoint
rm -f "$HOME/.aws/credentials" "$HOME/.aws/config"
start_server ctr --auth "Bearer ctr-auth"
t_run "container FULL_URI" 0 env AWS_CONTAINER_CREDENTIALS_FULL_URI="http://127.0.0.1:$PORT_ctr/creds/full" \
	AWS_CONTAINER_AUTHORIZATION_TOKEN="Bearer ctr-auth" "$DUMP"
t_out_has "container source" "source=container-role"
t_out_has "container key" "access_key_id=CONTAINERAKID"
t_out_has "container secret" "secret=$(h16 CONTAINER-secret)"
t_out_has "container token" "token=$(h16 CONTAINER-token)"
t_out_has "expiration parsed" "expiration=1893553445"
grep -q "GET /creds/full token=no auth=Bearer ctr-auth" "$T_TMP/log.ctr"
t_ok $? "authorization token sent"
printf 'Bearer ctr-auth\n' >"$T_TMP/tokfile"
t_run "container token file" 0 env AWS_CONTAINER_CREDENTIALS_FULL_URI="http://127.0.0.1:$PORT_ctr/creds/f" \
	AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE="$T_TMP/tokfile" AWS_CONTAINER_AUTHORIZATION_TOKEN=wrong "$DUMP"
t_out_has "token file wins" "access_key_id=CONTAINERAKID"
t_run "container RELATIVE_URI" 0 env AWS_CONTAINER_CREDENTIALS_RELATIVE_URI=/creds/rel \
	AWS_CONTAINER_AUTHORIZATION_TOKEN="Bearer ctr-auth" "$DUMP" --container-host "http://127.0.0.1:$PORT_ctr"
t_out_has "relative: container key" "access_key_id=CONTAINERAKID"
grep -q "GET /creds/rel " "$T_TMP/log.ctr"
t_ok $? "relative URI under the container host"
t_run "container bad auth" 5 env AWS_CONTAINER_CREDENTIALS_FULL_URI="http://127.0.0.1:$PORT_ctr/creds/x" \
	AWS_CONTAINER_AUTHORIZATION_TOKEN="Bearer nope" "$DUMP"
t_err_has "HTTP status" "container credentials endpoint: HTTP 401"
t_run "container host not allowed" 2 env AWS_CONTAINER_CREDENTIALS_FULL_URI="http://example.com/creds" "$DUMP"
t_err_has "says so" "host 'example.com' is not allowed over http"
t_run "env beats container" 0 env AWS_CONTAINER_CREDENTIALS_FULL_URI="http://127.0.0.1:$PORT_ctr/creds/y" \
	AWS_ACCESS_KEY_ID=AKENV AWS_SECRET_ACCESS_KEY=secret-env "$DUMP"
t_out_has "env first" "access_key_id=AKENV"
start_server bad --mode badjson
t_run "container answers garbage" 5 env AWS_CONTAINER_CREDENTIALS_FULL_URI="http://127.0.0.1:$PORT_bad/creds" "$DUMP"
t_err_has "not JSON" "not a JSON object"

# --- IMDSv2
start_server imds
t_run "IMDSv2" 0 env -u AWS_EC2_METADATA_DISABLED AWS_EC2_METADATA_SERVICE_ENDPOINT="http://127.0.0.1:$PORT_imds" "$DUMP"
t_out_has "iam-role source" "source=iam-role"
t_out_has "IMDS key" "access_key_id=IMDSAKID"
t_out_has "IMDS token" "token=$(h16 IMDS-token)"
head -1 "$T_TMP/log.imds" | grep -q "^PUT /latest/api/token "
t_ok $? "session token first"
[ "$(grep -c '^GET /latest/meta-data/iam/security-credentials/.* token=yes' "$T_TMP/log.imds")" -eq 2 ]
t_ok $? "both GETs carry the session token"
t_run "container beats IMDS" 0 env -u AWS_EC2_METADATA_DISABLED AWS_EC2_METADATA_SERVICE_ENDPOINT="http://127.0.0.1:$PORT_imds" \
	AWS_CONTAINER_CREDENTIALS_FULL_URI="http://127.0.0.1:$PORT_ctr/creds/z" AWS_CONTAINER_AUTHORIZATION_TOKEN="Bearer ctr-auth" "$DUMP"
t_out_has "container first" "source=container-role"
start_server v1 --mode v1
t_run "IMDSv1 fallback on 403" 0 env -u AWS_EC2_METADATA_DISABLED AWS_EC2_METADATA_SERVICE_ENDPOINT="http://127.0.0.1:$PORT_v1" "$DUMP"
t_out_has "v1 key" "access_key_id=IMDSAKID"
start_server norole --mode norole
t_run "IMDS without a role" 2 env -u AWS_EC2_METADATA_DISABLED AWS_EC2_METADATA_SERVICE_ENDPOINT="http://127.0.0.1:$PORT_norole" "$DUMP"
t_err_has "no credentials" "no credentials found"
t_run "IMDS disabled" 2 env AWS_EC2_METADATA_SERVICE_ENDPOINT="http://127.0.0.1:$PORT_imds" "$DUMP"
t_err_has "disabled: no credentials" "no credentials found"
start_server slow --mode slow
start=$(date +%s)
t_run "IMDS stalled: short timeout" 2 env -u AWS_EC2_METADATA_DISABLED AWS_EC2_METADATA_SERVICE_ENDPOINT="http://127.0.0.1:$PORT_slow" \
	AWS_METADATA_SERVICE_TIMEOUT=0.3 "$DUMP"
end=$(date +%s)
[ $((end - start)) -lt 5 ]
t_ok $? "gave up quickly ($((end - start)) s)"
t_run "no IMDS listening" 2 env -u AWS_EC2_METADATA_DISABLED AWS_EC2_METADATA_SERVICE_ENDPOINT="http://127.0.0.1:1" "$DUMP"
t_err_has "unreachable: no credentials" "no credentials found"
t_run "--no-remote" 2 env -u AWS_EC2_METADATA_DISABLED AWS_EC2_METADATA_SERVICE_ENDPOINT="http://127.0.0.1:$PORT_imds" "$DUMP" --no-remote

# No secret reaches any output.
! grep -rqE 'secret-|CONTAINER-secret|IMDS-secret|ctr-auth' "$T_TMP/out" "$T_TMP/err"
t_ok $? "no secret in the last outputs"
t_done
