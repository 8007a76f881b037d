#!/bin/sh
# jobdoc-verify: one file against a signature, and a CreateJob request against
# its artifacts; every tampering fails with exit 1 and a specific message.
. "${JD_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
MBEDTLS="$JD_BUILD/tests/helpers/mbedtls-verify"
D=$T_TMP/w
mkdir -p "$D/certs"
cd "$D" || exit 1
umask 077

openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ec.key 2>/dev/null
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out other.key 2>/dev/null
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsa.key 2>/dev/null
openssl pkey -in ec.key -pubout -out ec.pub 2>/dev/null
openssl req -new -x509 -key ec.key -subj /CN=jobdoc-test -days 30 -out certs/signer.crt 2>/dev/null
openssl req -new -x509 -key other.key -subj /CN=jobdoc-other -days 30 -out certs/other.crt 2>/dev/null
openssl req -new -x509 -key rsa.key -subj /CN=jobdoc-rsa -days 30 -out certs/rsa.crt 2>/dev/null
head -c 1048577 /dev/urandom > fw.bin
head -c 1048576 fw.bin > fw-truncated.bin
python3 -c 'import sys; b=bytearray(open("fw.bin","rb").read()); b[4242]^=0x01; open("fw-flipped.bin","wb").write(b)'

# request REQ SIGNJSON [EDIT]: a CreateJob request whose document (a JSON
# string) describes the signed file; EDIT is Python run on the file entry f.
request() {
	python3 - "$1" "$2" "${3:-pass}" <<'EOF'
import json, sys
s = json.load(open(sys.argv[2]))
f = {"filepath": "/fw/app.bin", "filesize": s["size"], "fileid": 0,
     "certfile": s.get("certfile", "signer.crt"), s["signatureKey"]: s["signature"]}
exec(sys.argv[3])
doc = {"afr_ota": {"protocols": ["HTTP"], "files": [f]}}
req = {"targets": ["arn:aws:iot:eu-west-1:123456789012:thinggroup/fleet"],
       "document": json.dumps(doc, separators=(",", ":"))}
json.dump(req, open(sys.argv[1], "w"))
EOF
}

jobdoc-sign -k ec.key --cert certs/signer.crt fw.bin > sign.json
jobdoc-sign -k rsa.key --cert certs/rsa.crt fw.bin > sign-rsa.json
python3 -c 'import json,base64; open("fw.sig","wb").write(base64.b64decode(json.load(open("sign.json"))["signature"]))'
SIG=$(python3 -c 'import json; print(json.load(open("sign.json"))["signature"])')
request req.json sign.json

t_run "--help" 0 jobdoc-verify --help
t_out_has "--help ends with the exit codes" "70  internal error"
t_run "--version" 0 jobdoc-verify --version

# one file
t_run "file: --signature B64 with --cert" 0 jobdoc-verify fw.bin --signature "$SIG" --cert certs/signer.crt
t_out_has "file: verified" '"verified": true'
t_run "file: --sig-file DER with --pubkey" 0 jobdoc-verify fw.bin --sig-file fw.sig --pubkey ec.pub
printf '%s\n' "$SIG" > fw.sig.b64
t_run "file: --sig-file base64 text" 0 jobdoc-verify fw.bin --sig-file fw.sig.b64 --cert certs/signer.crt
openssl dgst -sha256 -sign ec.key -out openssl.sig fw.bin
t_run "file: openssl dgst -sign verifies with jobdoc-verify" 0 jobdoc-verify fw.bin --sig-file openssl.sig --cert certs/signer.crt
openssl dgst -sha256 -sign rsa.key -out openssl-rsa.sig fw.bin
t_run "file: openssl RSA signature verifies" 0 jobdoc-verify fw.bin --sig-file openssl-rsa.sig --cert certs/rsa.crt
t_run "file: a flipped bit in the file" 1 jobdoc-verify fw-flipped.bin --sig-file fw.sig --cert certs/signer.crt
t_err_has "file: flipped file: message" "fw-flipped.bin: signature does not verify (ecdsa-p256-sha256)"
t_run "file: a truncated file" 1 jobdoc-verify fw-truncated.bin --sig-file fw.sig --cert certs/signer.crt
t_err_has "file: truncated: message" "signature does not verify"
python3 -c 'b=bytearray(open("fw.sig","rb").read()); b[-1]^=0x01; open("fw.sig.flipped","wb").write(b)'
t_run "file: a flipped bit in the signature" 1 jobdoc-verify fw.bin --sig-file fw.sig.flipped --cert certs/signer.crt
t_err_has "file: flipped signature: message" "signature does not verify"
python3 -c 'b=bytearray(open("fw.sig","rb").read()); b[1]^=0x01; open("fw.sig.broken","wb").write(b)'
t_run "file: a flipped bit in the DER header" 1 jobdoc-verify fw.bin --sig-file fw.sig.broken --cert certs/signer.crt
t_err_has "file: broken DER: message" "signature is not a DER ECDSA-Sig-Value"
t_run "file: another key's certificate" 1 jobdoc-verify fw.bin --sig-file fw.sig --cert certs/other.crt
t_err_has "file: other cert: message" "signature does not verify"
t_run "file: expired certificate" 1 jobdoc-verify fw.bin --sig-file fw.sig --cert certs/signer.crt --date 2099-01-01T00:00:00Z
t_err_has "file: expired: message" "certs/signer.crt: certificate expired on"
t_run "file: signature not base64" 3 jobdoc-verify fw.bin --signature 'MEUC IQ==' --cert certs/signer.crt
t_run "file: needs a signature" 2 jobdoc-verify fw.bin --cert certs/signer.crt
t_run "file: needs a key" 2 jobdoc-verify fw.bin --sig-file fw.sig
"$MBEDTLS" certs/signer.crt fw-flipped.bin fw.sig >/dev/null
t_ok $((!$?)) "file: mbedTLS (device) also rejects the flipped file"

# the request against its artifacts
t_run "request: good" 0 jobdoc-verify --request req.json --artifact 0=fw.bin --cert certs/signer.crt
[ ! -s "$T_TMP/err" ] && [ ! -s "$T_TMP/out" ]
t_ok $? "request: good: silent"
t_run "request: --cert-dir finds certfile" 0 jobdoc-verify --request req.json --artifact 0=fw.bin --cert-dir certs
t_run "request: --verbose notes each file" 0 jobdoc-verify -v --request req.json --artifact 0=fw.bin --cert-dir certs
t_err_has "request: --verbose" "notice: /document/afr_ota/files/0: 'fw.bin' (1048577 bytes) verified"
t_run "request: a flipped bit in the artifact" 1 jobdoc-verify --request req.json --artifact 0=fw-flipped.bin --cert-dir certs
t_err_has "request: flipped: field and message" "req.json: /document/afr_ota/files/0/sig-sha256-ecdsa: signature does not verify (ecdsa-p256-sha256), with certificate 'certs/signer.crt' over 'fw-flipped.bin'"
t_run "request: a truncated artifact" 1 jobdoc-verify --request req.json --artifact 0=fw-truncated.bin --cert-dir certs
t_err_has "request: truncated: size" "/document/afr_ota/files/0/filesize: 1048577 does not match artifact size 1048576"
t_err_has "request: truncated: signature" "/document/afr_ota/files/0/sig-sha256-ecdsa: signature does not verify"
request req-size.json sign.json 'f["filesize"] += 1'
t_run "request: filesize off by one" 1 jobdoc-verify --request req-size.json --artifact 0=fw.bin --cert-dir certs
t_err_has "request: filesize: message" "req-size.json: /document/afr_ota/files/0/filesize: 1048578 does not match artifact size 1048577"
request req-sig.json sign.json 'f["sig-sha256-ecdsa"] = f["sig-sha256-ecdsa"][:-6] + ("A" if f["sig-sha256-ecdsa"][-6] != "A" else "B") + f["sig-sha256-ecdsa"][-5:]'
t_run "request: a flipped signature" 1 jobdoc-verify --request req-sig.json --artifact 0=fw.bin --cert-dir certs
t_err_has "request: flipped signature: message" "/document/afr_ota/files/0/sig-sha256-ecdsa: signature does not verify"
request req-other.json sign.json 'f["certfile"] = "other.crt"'
t_run "request: another key's certificate" 1 jobdoc-verify --request req-other.json --artifact 0=fw.bin --cert-dir certs
t_err_has "request: other cert: message" "with certificate 'certs/other.crt'"
t_run "request: --cert of another key" 1 jobdoc-verify --request req.json --artifact 0=fw.bin --cert certs/other.crt
t_run "request: expired certificate" 1 jobdoc-verify --request req.json --artifact 0=fw.bin --cert-dir certs --date 2099-01-01T00:00:00Z
t_err_has "request: expired: message" "/document/afr_ota/files/0/certfile: certificate expired on"
request req-nocert.json sign.json 'f["certfile"] = "missing.crt"'
t_run "request: certfile not in --cert-dir" 1 jobdoc-verify --request req-nocert.json --artifact 0=fw.bin --cert-dir certs
t_err_has "request: certfile: message" "/document/afr_ota/files/0/certfile: no certificate 'missing.crt' in 'certs'"
request req-rsa.json sign-rsa.json
t_run "request: signature key the device does not read" 1 jobdoc-verify --request req-rsa.json --artifact 0=fw.bin --cert-dir certs
t_err_has "request: signature key: message" "/document/afr_ota/files/0/sig-sha256-rsa: signature key 'sig-sha256-rsa' is not the one the device expects ('sig-sha256-ecdsa')"
t_run "request: --sig-key for an RSA device" 0 jobdoc-verify --request req-rsa.json --artifact 0=fw.bin --cert-dir certs --sig-key sig-sha256-rsa
request req-raw.json sign.json 'import base64, subprocess; f["sig-sha256-ecdsa"] = base64.b64encode(bytes(64)).decode()'
t_run "request: raw r||s instead of DER" 1 jobdoc-verify --request req-raw.json --artifact 0=fw.bin --cert-dir certs
t_err_has "request: raw r||s: message" "signature is raw r||s (64 bytes), not DER ECDSA-Sig-Value"
request req-open.json sign.json 'f["sig-sha256-ecdsa"] = "-----BEGIN CERTIFICATE-----"'
t_run "request: a PEM pasted as signature" 1 jobdoc-verify --request req-open.json --artifact 0=fw.bin --cert-dir certs
t_err_has "request: PEM: message" "/document/afr_ota/files/0/sig-sha256-ecdsa: not a base64 signature"
t_run "request: --format json" 1 jobdoc-verify --format json --request req-size.json --artifact 0=fw.bin --cert-dir certs
python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); sys.exit(0 if j[0]["pointer"]=="/document/afr_ota/files/0/filesize" and j[0]["severity"]=="error" else 1)' "$T_TMP/out"
t_ok $? "request: --format json names the field"
t_run "request: --format github" 1 jobdoc-verify --format github --request req-size.json --artifact 0=fw.bin --cert-dir certs
t_out_has "request: github annotation" "::error file=req-size.json,title=jobdoc-verify verify::/document/afr_ota/files/0/filesize: 1048578 does not match"
t_run "request: artifact for no file" 1 jobdoc-verify --request req.json --artifact 0=fw.bin --artifact 3=fw.bin --cert-dir certs
t_err_has "request: unused artifact: message" "no file has fileid 3"
t_run "request: no artifact for the file" 1 jobdoc-verify --request req.json --artifact 1=fw.bin --cert-dir certs
t_err_has "request: no artifact: message" "/document/afr_ota/files/0/fileid: no --artifact 0=PATH given"
t_run "request: unreadable artifact" 3 jobdoc-verify --request req.json --artifact 0=nope.bin --cert-dir certs
printf '{"document":"{\\"afr_ota\\":' > bad.json
t_run "request: not JSON" 3 jobdoc-verify --request bad.json --artifact 0=fw.bin --cert-dir certs
t_err_has "request: not JSON: message" "bad.json:1:"
printf '{"document":"{\\"afr_ota\\":}"}' > bad-doc.json
t_run "request: document not JSON" 3 jobdoc-verify --request bad-doc.json --artifact 0=fw.bin --cert-dir certs
t_err_has "request: document not JSON: message" "bad-doc.json: /document: not valid JSON"
t_run "request: needs --artifact" 2 jobdoc-verify --request req.json --cert-dir certs
t_run "request: needs a certificate" 2 jobdoc-verify --request req.json --artifact 0=fw.bin
t_run "request: bad --artifact" 2 jobdoc-verify --request req.json --artifact fw.bin --cert-dir certs
t_run "request: --artifact twice" 2 jobdoc-verify --request req.json --artifact 0=fw.bin --artifact 0=fw.bin --cert-dir certs
t_run "request: unknown --sig-key" 2 jobdoc-verify --request req.json --artifact 0=fw.bin --cert-dir certs --sig-key sig-md5-rsa
t_run "jobdoc verify" 0 jobdoc verify --request req.json --artifact 0=fw.bin --cert-dir certs
t_done
