#!/usr/bin/python3
"""A local AWS IoT Jobs control-plane endpoint for jobdoc's tests.

A test fixture, not a product. It listens on loopback and, for every request:
  - checks the SigV4 signature independently: botocore's own SigV4Auth
    (Debian python3-botocore) recomputes the Authorization header from the
    received method, URL, signed headers and body with the known test secret;
    service `iot` unless --service says otherwise, region from the scope;
  - validates CreateJob bodies with botocore's ParamValidator against the iot
    model's CreateJobRequest shape, plus the max/enum/pattern constraints
    botocore's validator leaves out;
  - stores jobs in memory and answers CreateJob (PUT /jobs/{jobId}),
    GetJobDocument (GET /jobs/{jobId}/job-document?beforeSubstitution=) and
    DescribeJob (GET /jobs/{jobId}) with AWS's JSON shapes, and AWS's error
    shape (X-Amzn-ErrorType header + {"message": ...}).

Debian bookworm's botocore 1.29.27 lacks SchedulingConfig.maintenanceWindows
and CreateJobRequest.destinationPackageVersions (added upstream since): they
are added explicitly to the loaded model below (shapes as botocore 1.43.11
has them), so requests using them are validated, not rejected.

documentSource: with --s3-endpoint (RGW on loopback), CreateJob reads the
document from S3 as AWS does when the job is created (an object that cannot
be read is 400 InvalidRequestException), with botocore's S3 client and the
--s3-* credentials; GetJobDocument then returns it. The URL may be
ENDPOINT/BUCKET/KEY, https://s3.REGION.amazonaws.com/BUCKET/KEY or
https://BUCKET.s3.REGION.amazonaws.com/KEY; all are read from --s3-endpoint.

Fault injection: --fail STATUS:TYPE:COUNT[:REGEX] (COUNT -1 = forever; REGEX
matched against "METHOD /path"), or at run time
  POST /_fixture/fail  {"status":503,"type":"ServiceUnavailableException",
                        "count":2,"match":"^PUT ","message":"..."}
Other control endpoints (unsigned, loopback only): POST /_fixture/reset,
GET /_fixture/jobs, GET /_fixture/log, POST /_fixture/stop,
POST /_fixture/status {"jobId":..., "status":"DELETION_IN_PROGRESS"}.

Prints its port on stdout (and to --port-file) once listening; stops by
itself after --lifetime seconds.
"""
import argparse
import copy
import datetime
import hashlib
import json
import os
import re
import sys
import threading
import time
import unicodedata
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

import botocore.loaders
import botocore.model
import botocore.validate
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

# The AWS documentation's example credentials: the tests use these.
DEFAULT_AKID = "AKIDEXAMPLE"
DEFAULT_SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"

# Shapes newer than Debian's botocore 1.29.27, as botocore 1.43.11 has them.
NEWER_SHAPES = {
    "CronExpression": {"type": "string", "max": 256, "min": 1},
    "DurationInMinutes": {"type": "integer", "box": True, "max": 1430, "min": 1},
    "MaintenanceWindow": {
        "type": "structure",
        "required": ["startTime", "durationInMinutes"],
        "members": {
            "startTime": {"shape": "CronExpression"},
            "durationInMinutes": {"shape": "DurationInMinutes"},
        },
    },
    "MaintenanceWindows": {"type": "list", "member": {"shape": "MaintenanceWindow"}},
    "PackageVersionArn": {"type": "string", "max": 1600, "min": 1, "pattern": "^arn:[!-~]+$"},
    "DestinationPackageVersions": {"type": "list", "member": {"shape": "PackageVersionArn"}},
}


def load_iot_model():
    """The iot service model from the installed botocore, with the members
    1.29.27 lacks added (see the module comment)."""
    d = copy.deepcopy(botocore.loaders.Loader().load_service_model("iot", "service-2"))
    shapes = d["shapes"]
    for name, shape in NEWER_SHAPES.items():
        shapes.setdefault(name, shape)
    shapes["SchedulingConfig"]["members"].setdefault(
        "maintenanceWindows", {"shape": "MaintenanceWindows"})
    shapes["CreateJobRequest"]["members"].setdefault(
        "destinationPackageVersions", {"shape": "DestinationPackageVersions"})
    if shapes.get("ParameterValue", {}).get("max", 0) < 30720:
        shapes["ParameterValue"]["max"] = 30720
    return botocore.model.ServiceModel(d, service_name="iot")


def _pattern_ok(pattern, s):
    # Python's re has no \p{...}; the model uses \p{C} (control/format/...)
    # and \p{L}\p{Z}\p{N} classes. Check the common ones by Unicode category.
    if pattern in ("[^\\p{C}]+", "[^\\p{C}]*"):
        return all(not unicodedata.category(c).startswith("C") for c in s) and (
            pattern.endswith("*") or len(s) > 0)
    if "\\p{" in pattern:
        return True  # NEEDSWORK: other Unicode property classes are not checked
    return re.search(pattern, s) is not None


def schema_errors(validator, params):
    """The body against our own createjob-request schema (jobdoc-validate),
    when the fixture was given the tool: the second, independent check."""
    if not validator:
        return []
    import subprocess, tempfile
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(params, f)
        path = f.name
    try:
        p = subprocess.run([validator, "-q", "--schema", "createjob-request", path],
                           capture_output=True, text=True, timeout=30)
    finally:
        os.unlink(path)
    if p.returncode == 0:
        return []
    lines = [l.split(": ", 2)[-1] for l in p.stderr.splitlines() if l.strip()]
    return ["schema: " + "; ".join(lines[:3])]


def check_constraints(shape, value, path, errors):
    """What botocore's ParamValidator leaves out: max bounds, enums, patterns."""
    t = shape.type_name
    m = shape.metadata
    if t == "structure" and isinstance(value, dict):
        for k, v in value.items():
            if k in shape.members:
                check_constraints(shape.members[k], v, path + "." + k, errors)
    elif t == "list" and isinstance(value, list):
        if "max" in m and len(value) > m["max"]:
            errors.append("Invalid length for parameter %s, value: %d, valid max length: %d"
                          % (path, len(value), m["max"]))
        for i, v in enumerate(value):
            check_constraints(shape.member, v, "%s[%d]" % (path, i), errors)
    elif t == "map" and isinstance(value, dict):
        for k, v in value.items():
            check_constraints(shape.key, k, path + " key", errors)
            check_constraints(shape.value, v, "%s.%s" % (path, k), errors)
    elif t == "string" and isinstance(value, str):
        if "max" in m and len(value) > m["max"]:
            errors.append("Invalid length for parameter %s, value: %d, valid max length: %d"
                          % (path, len(value), m["max"]))
        if shape.enum and value not in shape.enum:
            errors.append("Invalid value for parameter %s, value: %s, valid values: %s"
                          % (path, value, ", ".join(shape.enum)))
        if "pattern" in m and not _pattern_ok(m["pattern"], value):
            errors.append("Invalid value for parameter %s, value: %s, does not match %s"
                          % (path, value, m["pattern"]))
    elif t in ("integer", "long", "double", "float") and isinstance(value, (int, float)):
        if "max" in m and value > m["max"]:
            errors.append("Invalid range for parameter %s, value: %s, valid max value: %s"
                          % (path, value, m["max"]))


class AwsError(Exception):
    def __init__(self, status, code, message, extra=None):
        super().__init__(message)
        self.status, self.code, self.message, self.extra = status, code, message, extra or {}


AUTH_RE = re.compile(
    r"^AWS4-HMAC-SHA256 Credential=([^/,\s]+)/(\d{8})/([^/,\s]+)/([^/,\s]+)/aws4_request,\s*"
    r"SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})$")

BAD_SIGNATURE = ("The request signature we calculated does not match the signature you "
                 "provided. Check your AWS Secret Access Key and signing method. Consult the "
                 "service documentation for details.")


class State:
    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        self.jobs = {}
        self.faults = []
        self.log = []
        self.model = load_iot_model()
        self.create_shape = self.model.operation_model("CreateJob").input_shape
        for spec in args.fail or []:
            parts = spec.split(":", 3)
            if len(parts) < 3:
                sys.exit("iot-endpoint: --fail wants STATUS:TYPE:COUNT[:REGEX], got %r" % spec)
            self.faults.append({"status": int(parts[0]), "type": parts[1],
                                "count": int(parts[2]),
                                "match": parts[3] if len(parts) > 3 else ""})


DEFAULT_MESSAGES = {
    "ThrottlingException": "Rate exceeded",
    "ServiceUnavailableException": "Service Unavailable",
    "InvalidRequestException": "fixture: injected invalid request",
    "ResourceAlreadyExistsException": "fixture: injected conflict",
    "InternalFailureException": "Internal failure",
}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "jobdoc-iot-fixture"

    def log_message(self, fmt, *a):  # quiet; the log is kept in memory
        if self.server.state.args.verbose:
            sys.stderr.write("iot-endpoint: " + (fmt % a) + "\n")

    # -- plumbing ---------------------------------------------------------
    def _send(self, status, obj, headers=None):
        body = b"" if obj is None else json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("x-amzn-RequestId", "fixture-%d" % len(self.server.state.log))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _error(self, e):
        body = {"message": e.message}
        body.update(e.extra)
        self._send(e.status, body, {
            "X-Amzn-ErrorType":
                e.code + ":http://internal.amazon.com/coral/com.amazonaws.iot.v20150528/"})
        return e.status, e.code

    def _body(self):
        n = int(self.headers.get("Content-Length") or 0)
        if n > 1 << 20:
            raise AwsError(413, "RequestEntityTooLargeException", "request too large")
        return self.rfile.read(n) if n else b""

    def _handle(self):
        st = self.server.state
        body = self._body()
        parts = urlsplit(self.path)
        status, code = 200, ""
        try:
            if parts.path.startswith("/_fixture/"):
                status = self._control(parts.path, body)
                return
            self._verify_signature(body)
            self._inject_fault()
            status = self._route(parts, body)
        except AwsError as e:
            status, code = self._error(e)
        finally:
            if not parts.path.startswith("/_fixture/"):
                with st.lock:
                    st.log.append({"method": self.command, "path": self.path,
                                   "status": status, "errorType": code})

    do_GET = do_PUT = do_POST = do_DELETE = do_PATCH = do_HEAD = _handle

    # -- control ----------------------------------------------------------
    def _control(self, path, body):
        st = self.server.state
        with st.lock:
            if path == "/_fixture/fail" and self.command == "POST":
                f = json.loads(body or b"{}")
                st.faults.append({"status": int(f.get("status", 503)),
                                  "type": f.get("type", "ServiceUnavailableException"),
                                  "count": int(f.get("count", 1)),
                                  "match": f.get("match", ""),
                                  "message": f.get("message")})
                out = {"faults": st.faults}
            elif path == "/_fixture/reset" and self.command == "POST":
                st.faults, st.jobs, st.log = [], {}, []
                out = {}
            elif path == "/_fixture/status" and self.command == "POST":
                f = json.loads(body or b"{}")
                st.jobs[f["jobId"]]["status"] = f["status"]
                out = {}
            elif path == "/_fixture/jobs":
                out = {"jobs": st.jobs}
            elif path == "/_fixture/log":
                out = {"requests": st.log}
            elif path == "/_fixture/stop" and self.command == "POST":
                threading.Thread(target=self.server.shutdown, daemon=True).start()
                out = {}
            else:
                raise AwsError(404, "ResourceNotFoundException", "no such control endpoint")
        self._send(200, out)
        return 200

    def _inject_fault(self):
        st = self.server.state
        what = "%s %s" % (self.command, urlsplit(self.path).path)
        with st.lock:
            for f in st.faults:
                if f["count"] == 0 or (f["match"] and not re.search(f["match"], what)):
                    continue
                if f["count"] > 0:
                    f["count"] -= 1
                msg = f.get("message") or DEFAULT_MESSAGES.get(f["type"], f["type"])
                raise AwsError(f["status"], f["type"], msg)

    # -- SigV4, checked by botocore -----------------------------------------
    def _verify_signature(self, body):
        a = self.server.state.args
        auth = self.headers.get("Authorization")
        if not auth:
            raise AwsError(403, "MissingAuthenticationTokenException", "Missing Authentication Token")
        m = AUTH_RE.match(auth)
        if not m:
            raise AwsError(403, "IncompleteSignatureException",
                           "Authorization header requires 'Credential', 'Signature' and "
                           "'SignedHeaders' parameters. Authorization=" + auth)
        akid, day, region, service, signed, signature = m.groups()
        if akid != a.access_key_id:
            raise AwsError(403, "UnrecognizedClientException",
                           "The security token included in the request is invalid.")
        if service != a.service:
            raise AwsError(403, "InvalidSignatureException",
                           "Credential should be scoped to correct service: '%s'. " % a.service)
        token = self.headers.get("X-Amz-Security-Token")
        if (token or None) != (a.session_token or None):
            raise AwsError(403, "UnrecognizedClientException",
                           "The security token included in the request is invalid.")
        amz_date = self.headers.get("X-Amz-Date") or ""
        if not re.match(r"^\d{8}T\d{6}Z$", amz_date) or amz_date[:8] != day:
            raise AwsError(403, "InvalidSignatureException",
                           "Date in Credential scope does not match YYYYMMDD from ISO-8601 "
                           "version of date from HTTP: '%s' != '%s'" % (day, amz_date[:8]))
        if a.max_skew > 0:
            t = datetime.datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(
                tzinfo=datetime.timezone.utc).timestamp()
            if abs(time.time() - t) > a.max_skew:
                raise AwsError(403, "InvalidSignatureException", "Signature expired")
        names = signed.split(";")
        if names != sorted(names) or "host" not in names or "x-amz-date" not in names:
            raise AwsError(403, "InvalidSignatureException",
                           "SignedHeaders must be sorted and include host and x-amz-date")
        if token and "x-amz-security-token" not in names:
            raise AwsError(403, "InvalidSignatureException", "x-amz-security-token is not signed")
        sha = self.headers.get("X-Amz-Content-SHA256")
        if sha is not None and sha != hashlib.sha256(body).hexdigest():
            raise AwsError(400, "XAmzContentSHA256Mismatch",
                           "The provided 'x-amz-content-sha256' header does not match what was computed.")
        headers = {}
        for n in names:
            vals = self.headers.get_all(n)
            if vals is None:
                raise AwsError(403, "InvalidSignatureException", "signed header '%s' is missing" % n)
            headers[n] = ",".join(vals)
        req = AWSRequest(method=self.command,
                         url="http://%s%s" % (self.headers.get("Host"), self.path),
                         headers=headers, data=body)
        signer = SigV4Auth(Credentials(a.access_key_id, a.secret_access_key, token),
                           service, region)
        # add_auth() without its clock: the timestamp is the request's own.
        req.context["timestamp"] = amz_date
        signer._modify_request_before_signing(req)
        cr = signer.canonical_request(req)
        sig = signer.signature(signer.string_to_sign(req, cr), req)
        signer._inject_signature_to_request(req, sig)
        if req.headers["Authorization"] != auth:
            if a.verbose:
                sys.stderr.write("iot-endpoint: canonical request:\n%s\n" % cr)
            raise AwsError(403, "InvalidSignatureException", BAD_SIGNATURE)
        self.region = region

    # -- the API -----------------------------------------------------------
    def _route(self, parts, body):
        p = parts.path
        q = parse_qs(parts.query, keep_blank_values=True)
        m = re.match(r"^/jobs/([^/]+)(/job-document)?$", p)
        if not m:
            raise AwsError(404, "UnknownOperationException", "no operation at %s %s" % (self.command, p))
        job_id = unquote(m.group(1))
        if not re.match(r"^[a-zA-Z0-9_-]{1,64}$", job_id):
            raise AwsError(400, "InvalidRequestException",
                           "1 validation error detected: Value '%s' at 'jobId' failed to satisfy "
                           "constraint: Member must satisfy regular expression pattern: "
                           "[a-zA-Z0-9_-]+" % job_id)
        if self.command == "PUT" and not m.group(2):
            return self._create_job(job_id, body)
        if self.command == "GET":
            before = (q.get("beforeSubstitution") or ["false"])[0] == "true"
            return self._get_document(job_id, before) if m.group(2) else self._describe(job_id, before)
        raise AwsError(405, "MethodNotAllowedException", "no %s on %s" % (self.command, p))

    def _create_job(self, job_id, body):
        st = self.server.state
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip()
        if ctype != "application/json":
            raise AwsError(400, "InvalidRequestException",
                           "Content-Type must be application/json, got '%s'" % ctype)
        try:
            req = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as e:
            raise AwsError(400, "SerializationException", "body is not JSON: %s" % e)
        if not isinstance(req, dict):
            raise AwsError(400, "SerializationException", "body is not a JSON object")
        if "jobId" in req:
            raise AwsError(400, "InvalidRequestException",
                           "jobId belongs in the URI, not in the body")
        params = dict(req, jobId=job_id)
        report = botocore.validate.ParamValidator().validate(params, st.create_shape)
        errors = ([report.generate_report().replace("\n", "; ")]
                  if report.has_errors() else [])
        check_constraints(st.create_shape, params, "input", errors)
        has_doc, has_src = "document" in req, "documentSource" in req
        if has_doc and has_src:
            errors.append("only one of document and documentSource may be given")
        if not has_doc and not has_src and "jobTemplateArn" not in req:
            errors.append("a document, documentSource or jobTemplateArn is required")
        if has_doc and isinstance(req["document"], str):
            try:
                if not isinstance(json.loads(req["document"]), dict):
                    errors.append("the job document must be a JSON object")
            except ValueError:
                errors.append("the job document is not valid JSON")
        if "documentParameters" in req and ":jobtemplate/AWS-" not in req.get("jobTemplateArn", ""):
            errors.append("documentParameters can only be used with AWS managed templates")
        if not errors:
            errors += schema_errors(st.args.schema_validator, params)
        if errors:
            raise AwsError(400, "InvalidRequestException", "; ".join(errors))
        fetched = self._fetch_document_source(req["documentSource"]) if has_src else None
        region = getattr(self, "region", "us-east-1")
        arn = "arn:aws:iot:%s:%s:job/%s" % (region, st.args.account, job_id)
        with st.lock:
            if job_id in st.jobs:
                raise AwsError(409, "ResourceAlreadyExistsException",
                               "Job %s already exists" % job_id,
                               {"resourceId": job_id, "resourceArn": arn})
            now = round(time.time(), 3)
            st.jobs[job_id] = {"request": req, "jobArn": arn, "createdAt": now,
                               "fetched": fetched}
        out = {"jobArn": arn, "jobId": job_id}
        if "description" in req:
            out["description"] = req["description"]
        self._send(200, out)
        return 200

    def _fetch_document_source(self, url):
        a = self.server.state.args
        if not a.s3_endpoint:
            return None
        u = urlsplit(url)
        ep = a.s3_endpoint.rstrip("/")
        if url.startswith(ep + "/"):
            path = url[len(ep) + 1:]
        elif re.match(r"^s3[.-]", u.hostname or ""):
            path = u.path.lstrip("/")
        elif ".s3." in (u.hostname or "") or ".s3-" in (u.hostname or ""):
            path = u.hostname.split(".s3")[0] + u.path
        else:
            raise AwsError(400, "InvalidRequestException",
                           "documentSource is not an S3 object URL: %s" % url)
        bucket, _, key = path.partition("/")
        import botocore.config
        import botocore.session
        s3 = botocore.session.get_session().create_client(
            "s3", endpoint_url=ep, region_name=a.s3_region,
            aws_access_key_id=a.s3_access_key_id or a.access_key_id,
            aws_secret_access_key=a.s3_secret_access_key or a.secret_access_key,
            config=botocore.config.Config(s3={"addressing_style": "path"},
                                          retries={"max_attempts": 1}))
        try:
            body = s3.get_object(Bucket=unquote(bucket), Key=unquote(key))["Body"].read()
        except Exception as e:  # botocore's ClientError and connection errors alike
            raise AwsError(400, "InvalidRequestException",
                           "the documentSource %s cannot be read: %s" % (url, e))
        try:
            doc = body.decode("utf-8")
            json.loads(doc)
        except ValueError:
            raise AwsError(400, "InvalidRequestException",
                           "the document at %s is not valid JSON" % url)
        if len(doc) > 32768:
            raise AwsError(400, "InvalidRequestException",
                           "the document at %s is longer than 32768 characters" % url)
        return doc

    def _job(self, job_id):
        with self.server.state.lock:
            j = self.server.state.jobs.get(job_id)
        if j is None:
            raise AwsError(404, "ResourceNotFoundException", "Job %s can't be found." % job_id)
        return j

    def _get_document(self, job_id, before):
        j = self._job(job_id)
        req = j["request"]
        doc = req.get("document", j.get("fetched"))
        if doc is None:
            # documentSource without --s3-endpoint; managed templates' documents are
            # not known to the fixture.
            raise AwsError(400, "InvalidRequestException",
                           "fixture: job %s has no inline document" % job_id)
        if not before:
            for k, v in (req.get("documentParameters") or {}).items():
                doc = doc.replace("${aws:iot:parameter:%s}" % k, v)
        self._send(200, {"document": doc})
        return 200

    def _describe(self, job_id, before):
        j = self._job(job_id)
        req = j["request"]
        job = {"jobArn": j["jobArn"], "jobId": job_id,
               "targetSelection": req.get("targetSelection", "SNAPSHOT"),
               "status": j.get("status") or
                         ("SCHEDULED" if "schedulingConfig" in req else "IN_PROGRESS"),
               "forceCanceled": False, "targets": req["targets"]}
        if "description" in req:
            job["description"] = req["description"]
        # As AWS answers: absent configurations come back as empty objects.
        job["presignedUrlConfig"] = req.get("presignedUrlConfig", {})
        job["jobExecutionsRolloutConfig"] = req.get("jobExecutionsRolloutConfig", {})
        for k in ("abortConfig",):
            if k in req:
                job[k] = req[k]
        job["createdAt"] = j["createdAt"]
        job["lastUpdatedAt"] = j["createdAt"]
        job["jobProcessDetails"] = {
            "processingTargets": [], "numberOfCanceledThings": 0, "numberOfSucceededThings": 0,
            "numberOfFailedThings": 0, "numberOfRejectedThings": 0, "numberOfQueuedThings": 0,
            "numberOfInProgressThings": 0, "numberOfRemovedThings": 0,
            "numberOfTimedOutThings": 0}
        job["timeoutConfig"] = req.get("timeoutConfig", {})
        for k in ("namespaceId", "jobTemplateArn", "jobExecutionsRetryConfig",
                  "documentParameters", "schedulingConfig", "destinationPackageVersions"):
            if k in req:
                job[k] = req[k]
        job["isConcurrent"] = False
        out = {"job": job}
        if "documentSource" in req:
            out = {"documentSource": req["documentSource"], "job": job}
        self._send(200, out)
        return 200


def main():
    ap = argparse.ArgumentParser(description="local AWS IoT Jobs endpoint (test fixture)")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file")
    ap.add_argument("--lifetime", type=float, default=120.0,
                    help="stop by itself after this many seconds")
    ap.add_argument("--service", default="iot", help="expected SigV4 signing name")
    ap.add_argument("--account", default="123456789012")
    ap.add_argument("--access-key-id", default=os.environ.get("JD_FIXTURE_AKID", DEFAULT_AKID))
    ap.add_argument("--secret-access-key",
                    default=os.environ.get("JD_FIXTURE_SECRET", DEFAULT_SECRET))
    ap.add_argument("--session-token", default=os.environ.get("JD_FIXTURE_TOKEN"))
    ap.add_argument("--s3-endpoint", help="where documentSource objects are read (path style)")
    ap.add_argument("--s3-region", default="us-east-1")
    ap.add_argument("--s3-access-key-id")
    ap.add_argument("--s3-secret-access-key")
    ap.add_argument("--max-skew", type=float, default=0.0,
                    help="reject X-Amz-Date further than this from now (0: off)")
    ap.add_argument("--fail", action="append", metavar="STATUS:TYPE:COUNT[:REGEX]")
    ap.add_argument("--verbose", action="store_true")
    ap.add_argument("--schema-validator",
                    default=os.path.join(os.environ["JD_BUILD"], "bin", "jobdoc-validate")
                    if os.environ.get("JD_BUILD") else None,
                    help="jobdoc-validate, to check CreateJob bodies against our schema too")
    args = ap.parse_args()

    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    server.state = State(args)
    port = server.server_address[1]
    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % port)
        os.rename(tmp, args.port_file)
    print(port, flush=True)
    timer = threading.Timer(args.lifetime, server.shutdown)
    timer.daemon = True
    timer.start()
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    server.server_close()


if __name__ == "__main__":
    main()
