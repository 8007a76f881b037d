#!/usr/bin/python3
"""Checks a request printed by `jobdoc-publish --dry-run` against botocore.

  botocore-check.py sign DRYRUN.http --secret KEY [--token TOKEN]
      botocore's SigV4Auth.add_auth (its clock pinned to the request's
      X-Amz-Date), given the exact method, URL, signed headers and body of the
      printed request, must compute the printed Authorization header. The
      printed session token is "REDACTED" (a credential); botocore signs with
      TOKEN, the real one, so the signature proves which token was signed.
  botocore-check.py serialize DRYRUN.http REQUEST.json
      botocore's rest-json serializer, given REQUEST.json as CreateJob
      parameters, must produce the printed method, path and Content-Type,
      and a body that parses to the same JSON as the printed body.

  botocore-check.py many < CHECKS
      many checks in one process: each line NAME<TAB>sign|serialize<TAB>ARGS
      (tab-separated); prints EXIT<TAB>NAME for each.
  botocore-check.py replay DRYRUN.http URL
      sends the printed bytes as they are to URL (the local endpoint), so
      that the endpoint checks the very request that was printed.

Exit 0 when they agree, 1 (with the difference on stderr) when not.
Uses Debian's python3-botocore (run with /usr/bin/python3).
"""
import argparse
import datetime
import importlib.util
import json
import os
import sys

import botocore.auth
import botocore.serialize
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


def parse_http(path):
    raw = open(path, "rb").read()
    head, sep, body = raw.partition(b"\r\n\r\n")
    if not sep:
        sys.exit("botocore-check: %s: no CRLF CRLF after the headers" % path)
    lines = head.decode("utf-8").split("\r\n")
    method, target, version = lines[0].split(" ")
    if version != "HTTP/1.1":
        sys.exit("botocore-check: %s: not HTTP/1.1: %r" % (path, lines[0]))
    headers = []
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers.append((name, value.strip()))
    h = {n.lower(): v for n, v in headers}
    if "content-length" in h and int(h["content-length"]) != len(body):
        sys.exit("botocore-check: Content-Length %s != body length %d"
                 % (h["content-length"], len(body)))
    return method, target, headers, h, body


class PinnedClock(datetime.datetime):
    pinned = None

    @classmethod
    def utcnow(cls):
        return cls.pinned


def cmd_sign(a):
    method, target, headers, h, body = parse_http(a.request)
    auth = h["authorization"]
    cred = auth.split("Credential=")[1].split(",")[0]
    akid, day, region, service, _ = cred.split("/")
    signed = auth.split("SignedHeaders=")[1].split(",")[0].split(";")
    # only what was signed goes in; botocore adds X-Amz-Date and the token itself
    if a.token and h.get("x-amz-security-token") != "REDACTED":
        sys.stderr.write("the session token is shown: %r\n" % h.get("x-amz-security-token"))
        return 1
    given = {n: v for n, v in headers
             if n.lower() in signed and n.lower() not in ("x-amz-date", "x-amz-security-token")}
    req = AWSRequest(method=method, url="https://%s%s" % (h["host"], target), headers=given,
                     data=body)
    PinnedClock.pinned = datetime.datetime.strptime(h["x-amz-date"], "%Y%m%dT%H%M%SZ")
    real = botocore.auth.datetime.datetime
    botocore.auth.datetime.datetime = PinnedClock
    try:
        SigV4Auth(Credentials(akid, a.secret, a.token), service, region).add_auth(req)
    finally:
        botocore.auth.datetime.datetime = real
    want = req.headers["Authorization"]
    if want != auth:
        sys.stderr.write("botocore:  %s\njobdoc:    %s\n" % (want, auth))
        return 1
    print(want)
    return 0


def load_model():
    here = os.path.dirname(os.path.abspath(__file__))
    spec = importlib.util.spec_from_file_location("iot_endpoint",
                                                  os.path.join(here, "iot-endpoint.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.load_iot_model()


def cmd_serialize(a):
    method, target, headers, h, body = parse_http(a.request)
    params = json.load(open(a.params))
    model = load_model()
    op = model.operation_model("CreateJob")
    s = botocore.serialize.create_serializer("rest-json", include_validation=True)
    want = s.serialize_to_request(params, op)
    bad = []
    if want["method"] != method:
        bad.append("method %s != %s" % (want["method"], method))
    if want["url_path"] != target:
        bad.append("path %s != %s" % (want["url_path"], target))
    if want["headers"].get("Content-Type") != h.get("content-type"):
        bad.append("Content-Type %s != %s" % (want["headers"].get("Content-Type"),
                                               h.get("content-type")))
    if json.loads(want["body"]) != json.loads(body):
        bad.append("body:\n botocore %s\n jobdoc   %s" % (want["body"].decode(), body.decode()))
    for b in bad:
        sys.stderr.write("botocore-check: %s\n" % b)
    if not bad:
        print("%s %s %s" % (method, target, want["body"].decode()))
    return 1 if bad else 0


def cmd_replay(a):
    """Sends the printed request's bytes as they are to URL; prints the status
    line and the answer's body."""
    import socket
    from urllib.parse import urlsplit
    raw = open(a.request, "rb").read()
    u = urlsplit(a.url)
    with socket.create_connection((u.hostname, u.port), timeout=10) as s:
        s.sendall(raw)
        s.shutdown(socket.SHUT_WR)
        got = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            got += chunk
    head, _, body = got.partition(b"\r\n\r\n")
    status = head.split(b"\r\n")[0].decode()
    print(status)
    print(body.decode())
    return 0 if " 200 " in status else 1


def cmd_many(a):
    """Runs many checks in one process (botocore takes a while to import):
    each stdin line is NAME<TAB>ARG<TAB>ARG..., one check's arguments; prints
    EXIT<TAB>NAME per line, the check's output as '#' lines before it."""
    import contextlib
    import io
    for line in sys.stdin.read().splitlines():
        name, *args = line.split("\t")
        out = io.StringIO()
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
                rc = dispatch(parser().parse_args(args))
        except SystemExit as e:
            rc = e.code if isinstance(e.code, int) else 1
        for o in out.getvalue().splitlines():
            print("# %s: %s" % (name, o))
        print("%d\t%s" % (rc, name), flush=True)
    return 0


def parser():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("sign")
    p.add_argument("request")
    p.add_argument("--secret", required=True)
    p.add_argument("--token")
    p = sub.add_parser("serialize")
    p.add_argument("request")
    p.add_argument("params")
    p = sub.add_parser("replay")
    p.add_argument("request")
    p.add_argument("url")
    sub.add_parser("many")
    return ap


def dispatch(a):
    return {"sign": cmd_sign, "serialize": cmd_serialize, "replay": cmd_replay,
            "many": cmd_many}[a.cmd](a)


def main():
    return dispatch(parser().parse_args())


if __name__ == "__main__":
    sys.exit(main())
