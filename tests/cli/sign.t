#!/bin/sh
# jobdoc-sign: algorithms, interop with openssl and mbedTLS (as a FreeRTOS
# device verifies), key files, passphrases, certificates, output shapes.
. "${JD_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
MBEDTLS="$JD_BUILD/tests/helpers/mbedtls-verify"
D=$T_TMP/w
mkdir -p "$D"
cd "$D" || exit 1
umask 077

# Test-only keys, made fresh for every run.
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ec.key 2>/dev/null
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out other.key 2>/dev/null
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out p384.key 2>/dev/null
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsa.key 2>/dev/null
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:4096 -out rsa4096.key 2>/dev/null
openssl genpkey -algorithm ED25519 -out ed.key 2>/dev/null
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -aes-256-cbc \
	-pass pass:Tr0ub4dor-xyzzy -out enc.key 2>/dev/null
for k in ec other p384 rsa rsa4096 ed; do openssl pkey -in $k.key -pubout -out $k.pub 2>/dev/null; done
openssl req -new -x509 -key ec.key -subj /CN=jobdoc-test -days 30 -out ec.crt 2>/dev/null
openssl req -new -x509 -key other.key -subj /CN=jobdoc-other -days 30 -out other.crt 2>/dev/null
openssl req -new -x509 -key p384.key -subj /CN=jobdoc-p384 -days 30 -out p384.crt 2>/dev/null
head -c 1048577 /dev/urandom > fw.bin   # 1 MiB + 1: more than one read block
printf 'small' > small.bin

json() { # json NAME PYTHON-EXPRESSION-ON-j: asserts it is true for stdout's JSON
	python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); sys.exit(0 if eval(sys.argv[2]) else 1)' \
		"$T_TMP/out" "$2"
	t_ok $? "$1"
}
b64sig() { # writes stdout's signature (or the one named $1) as binary to sig.bin
	python3 -c 'import json,sys,base64; j=json.load(open(sys.argv[1])); open("sig.bin","wb").write(base64.b64decode(j[sys.argv[2]]))' \
		"$T_TMP/out" "${1:-signature}"
}

t_run "--help" 0 jobdoc-sign --help
t_out_has "--help lists the algorithms" "sig-sha256-ecdsa"
t_out_has "--help ends with the exit codes" "70  internal error"
t_run "--version" 0 jobdoc-sign --version
t_out_has "--version" "jobdoc-sign (jobdoc)"
t_run "no key: usage" 2 jobdoc-sign fw.bin
t_err_has "no key: message" "no key"
t_run "no file: usage" 2 jobdoc-sign -k ec.key
t_run "unknown algorithm: usage" 2 jobdoc-sign -k ec.key -a ecdsa-p521 fw.bin
t_err_has "unknown algorithm: message" "unknown algorithm 'ecdsa-p521'"

# ECDSA P-256, the FreeRTOS OTA default
t_run "P-256 with certificate" 0 jobdoc-sign -k ec.key --cert ec.crt fw.bin
fw_sha=$(openssl dgst -sha256 -r fw.bin | cut -d' ' -f1)
json "output: file, size, sha256" "j['file']=='fw.bin' and j['size']==1048577 and j['sha256']=='$fw_sha'"
json "output: algorithm, key name, certfile" "j['algorithm']=='ecdsa-p256-sha256' and j['signatureKey']=='sig-sha256-ecdsa' and j['certfile']=='ec.crt'"
json "output: DER signature is 96 base64 characters or fewer" "68 <= len(__import__('base64').b64decode(j['signature'])) <= 72"
b64sig
openssl dgst -sha256 -verify ec.pub -signature sig.bin fw.bin >/dev/null 2>&1
t_ok $? "P-256: openssl dgst -sha256 -verify accepts it"
openssl asn1parse -inform DER -in sig.bin 2>/dev/null | grep -c INTEGER | grep -qx 2
t_ok $? "P-256: the signature is DER SEQUENCE { INTEGER, INTEGER }"
"$MBEDTLS" ec.crt fw.bin sig.bin >/dev/null
t_ok $? "P-256: mbedtls_pk_verify with the certificate accepts it (FreeRTOS PAL)"
"$MBEDTLS" ec.pub fw.bin sig.bin >/dev/null
t_ok $? "P-256: mbedtls_pk_verify with the public key accepts it"
t_run "--certfile names the device's certificate" 0 jobdoc-sign -k ec.key --cert ec.crt --certfile /certs/code-sign.crt small.bin
json "certfile as given" "j['certfile']=='/certs/code-sign.crt'"
t_run "no --cert: no certfile" 0 jobdoc-sign -k ec.key small.bin
json "no certfile member" "'certfile' not in j"

# --detached: FILE.sig, binary DER
t_run "--detached" 0 jobdoc-sign -k ec.key --detached fw.bin
openssl dgst -sha256 -verify ec.pub -signature fw.bin.sig fw.bin >/dev/null 2>&1
t_ok $? "--detached: openssl verifies fw.bin.sig"
"$MBEDTLS" ec.pub fw.bin fw.bin.sig >/dev/null
t_ok $? "--detached: mbedTLS verifies fw.bin.sig"
b64sig
t_same "--detached: FILE.sig holds the printed signature" sig.bin fw.bin.sig
[ "$(ls -a | grep -c '^\.fw\.bin\.sig\|tmp')" = 0 ]
t_ok $? "--detached: no temporary file left"

# ECDSA P-384 + SHA-384
t_run "P-384" 0 jobdoc-sign -k p384.key --cert p384.crt fw.bin
json "P-384: algorithm and key" "j['algorithm']=='ecdsa-p384-sha384' and j['signatureKey']=='sig-sha384-ecdsa' and len(j['sha384'])==96"
b64sig
openssl dgst -sha384 -verify p384.pub -signature sig.bin fw.bin >/dev/null 2>&1
t_ok $? "P-384: openssl dgst -sha384 -verify accepts it"
"$MBEDTLS" p384.crt fw.bin sig.bin sha384 >/dev/null
t_ok $? "P-384: mbedTLS accepts it"

# RSA PKCS#1 v1.5, PSS, 4096, legacy SHA-1
t_run "RSA-2048 PKCS#1 v1.5" 0 jobdoc-sign -k rsa.key fw.bin
json "RSA: algorithm and key" "j['algorithm']=='rsa-pkcs1-sha256' and j['signatureKey']=='sig-sha256-rsa'"
b64sig
openssl dgst -sha256 -verify rsa.pub -signature sig.bin fw.bin >/dev/null 2>&1
t_ok $? "RSA: openssl verifies"
"$MBEDTLS" rsa.pub fw.bin sig.bin >/dev/null
t_ok $? "RSA: mbedTLS verifies"
t_run "RSA-PSS" 0 jobdoc-sign -k rsa.key -a rsa-pss-sha256 fw.bin
b64sig
openssl dgst -sha256 -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32 -verify rsa.pub -signature sig.bin fw.bin >/dev/null 2>&1
t_ok $? "RSA-PSS (salt = hash length, as imgtool): openssl verifies"
openssl dgst -sha256 -verify rsa.pub -signature sig.bin fw.bin >/dev/null 2>&1
t_ok $((!$?)) "RSA-PSS is not PKCS#1 v1.5"
t_run "RSA-4096" 0 jobdoc-sign -k rsa4096.key fw.bin
b64sig
[ "$(wc -c < sig.bin)" -eq 512 ] && openssl dgst -sha256 -verify rsa4096.pub -signature sig.bin fw.bin >/dev/null 2>&1
t_ok $? "RSA-4096: 512-byte signature, openssl verifies"
t_err_has "RSA-4096: warns that OTA agents hold 384 bytes" "warning: fw.bin: a 512-byte signature is more than a FreeRTOS OTA agent holds (384 bytes)"
t_run "legacy sig-sha1-rsa only by name" 0 jobdoc-sign -k rsa.key -a sig-sha1-rsa fw.bin
json "sig-sha1-rsa: algorithm and key" "j['algorithm']=='rsa-pkcs1-sha1' and j['signatureKey']=='sig-sha1-rsa' and len(j['sha256'])==64"
b64sig
openssl dgst -sha1 -verify rsa.pub -signature sig.bin fw.bin >/dev/null 2>&1
t_ok $? "sig-sha1-rsa: openssl dgst -sha1 verifies"
t_run "an algorithm the key cannot make" 2 jobdoc-sign -k ec.key -a rsa-pkcs1-sha256 fw.bin
t_err_has "wrong algorithm: message" "needs an RSA key"

# Ed25519 over the SHA-256 digest, as MCUboot's imgtool
t_run "Ed25519" 0 jobdoc-sign -k ed.key fw.bin
json "Ed25519: algorithm and key" "j['algorithm']=='ed25519-sha256' and j['signatureKey']=='sig-sha256-ed25519'"
b64sig
openssl dgst -sha256 -binary fw.bin > fw.sha256
openssl pkeyutl -verify -pubin -inkey ed.pub -rawin -in fw.sha256 -sigfile sig.bin >/dev/null 2>&1
t_ok $? "Ed25519: openssl verifies it over the 32-byte SHA-256 digest"

# several files, parameters objects
t_run "two files: an array" 0 jobdoc-sign -k ec.key fw.bin small.bin
json "two files: array in order" "isinstance(j,list) and [x['file'] for x in j]==['fw.bin','small.bin'] and j[1]['size']==5"
t_run "--prefix: parameters object" 0 jobdoc-sign -k ec.key --cert ec.crt --prefix fw_ fw.bin
json "--prefix: flat, size a number" "j['fw_size']==1048577 and j['fw_sha256']=='$fw_sha' and j['fw_signatureKey']=='sig-sha256-ecdsa' and j['fw_certfile']=='ec.crt' and 'fw_signature' in j and 'size' not in j"
t_run "--prefix per file" 0 jobdoc-sign -k ec.key --prefix a_ --prefix b_ fw.bin small.bin
json "--prefix per file: one object" "j['a_size']==1048577 and j['b_size']==5"
t_run "--prefix count must match" 2 jobdoc-sign -k ec.key --prefix a_ fw.bin small.bin
t_run "--prefix characters" 2 jobdoc-sign -k ec.key --prefix 'a b' fw.bin
t_run "-o writes the file" 0 jobdoc-sign -k ec.key -o out.json small.bin
[ -s out.json ] && [ ! -s "$T_TMP/out" ] && python3 -c 'import json; json.load(open("out.json"))'
t_ok $? "-o: JSON in the file, nothing on stdout"

# key files and passphrases
chmod 644 other.key
t_run "group/other-readable key refused" 3 jobdoc-sign -k other.key fw.bin
t_err_has "readable key: message" "private key file is readable by group or others (mode 0644)"
t_run "--allow-insecure-key" 0 jobdoc-sign -k other.key --allow-insecure-key small.bin
chmod 600 other.key
t_run "encrypted key without --pass" 3 jobdoc-sign -k enc.key fw.bin
t_err_has "encrypted key: message" "encrypted: give its passphrase with --pass"
PW=Tr0ub4dor-xyzzy
export PW
t_run "encrypted key, --pass env:" 0 jobdoc-sign -k enc.key --pass env:PW small.bin
printf 'Tr0ub4dor-xyzzy\n' > pass.txt
t_run "encrypted key, --pass file:" 0 jobdoc-sign -k enc.key --pass file:pass.txt small.bin
WRONG=Tr0ub4dor-wrong
export WRONG
t_run "wrong passphrase" 3 jobdoc-sign -k enc.key --pass env:WRONG small.bin
t_err_has "wrong passphrase: message" "wrong passphrase"
! grep -q 'Tr0ub4dor' "$T_TMP/err" "$T_TMP/out"
t_ok $? "wrong passphrase: never printed"
t_run "passphrase on the command line refused" 2 jobdoc-sign -k enc.key --pass pass:Tr0ub4dor-xyzzy small.bin
! grep -q 'Tr0ub4dor' "$T_TMP/err"
t_ok $? "command-line passphrase: not echoed"
chmod 644 pass.txt
t_run "readable passphrase file refused" 3 jobdoc-sign -k enc.key --pass file:pass.txt small.bin

# certificates: another key's, expired, not yet valid; nothing signed or written
rm -f fw.bin.sig
t_run "another key's certificate" 1 jobdoc-sign -k ec.key --cert other.crt --detached fw.bin
t_err_has "cert mismatch: message" "other.crt: certificate is not for key 'ec.key'"
[ ! -e fw.bin.sig ] && [ ! -s "$T_TMP/out" ]
t_ok $? "cert mismatch: no output, no FILE.sig"
t_run "expired certificate" 1 jobdoc-sign -k ec.key --cert ec.crt --date 2099-01-01T00:00:00Z fw.bin
t_err_has "expired: message" "certificate expired on"
t_run "not yet valid certificate" 1 jobdoc-sign -k ec.key --cert ec.crt --date 2001-01-01T00:00:00Z fw.bin
t_err_has "not yet valid: message" "certificate is not valid before"
t_run "bad --date" 2 jobdoc-sign -k ec.key --date yesterday fw.bin
t_run "missing file" 3 jobdoc-sign -k ec.key no-such.bin
t_err_has "missing file: message" "no-such.bin: cannot open"
rm -f small.bin.sig
t_run "--detached with one missing file" 3 jobdoc-sign -k ec.key --detached small.bin no-such.bin
[ ! -e small.bin.sig ]
t_ok $? "--detached: a failed run writes no .sig at all"
t_run "missing key" 3 jobdoc-sign -k no-such.key fw.bin
t_run "a certificate is not a key" 3 jobdoc-sign -k ec.crt --allow-insecure-key fw.bin

# 8 MiB and more: read on a second thread, two blocks at a time; odd sizes end mid-block
for size in 8388608 9437185 20971521; do
	head -c $size /dev/urandom > big.bin
	t_run "$size bytes: signed" 0 jobdoc-sign -k ec.key big.bin
	json "$size bytes: size and sha256 as openssl's" "j['size']==$size and j['sha256']=='$(openssl dgst -sha256 -r big.bin | cut -d' ' -f1)'"
	b64sig
	openssl dgst -sha256 -verify ec.pub -signature sig.bin big.bin >/dev/null 2>&1
	t_ok $? "$size bytes: openssl dgst -verify accepts it"
done
t_run "P-384 over 20 MiB + 1: SHA-384 and SHA-256 from the same blocks" 0 jobdoc-sign -k p384.key big.bin
json "P-384 20 MiB + 1: sha256" "j['sha256']=='$(openssl dgst -sha256 -r big.bin | cut -d' ' -f1)'"
b64sig
openssl dgst -sha384 -verify p384.pub -signature sig.bin big.bin >/dev/null 2>&1
t_ok $? "P-384 20 MiB + 1: openssl dgst -sha384 -verify accepts it"
rm -f big.bin

# jobdoc VERB runs it
t_run "jobdoc sign" 0 jobdoc sign -k ec.key small.bin
t_done
