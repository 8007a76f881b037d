#!/usr/bin/env python3
"""A loopback stand-in for the ECS/CodeBuild container credentials endpoint
and for EC2 IMDSv2, for tests only.

  metadata-server.py --port-file F --log F [--auth TOKEN] [--mode M]

Container: GET /creds/<anything> answers credentials (Authorization must
equal --auth when given; 401 otherwise). IMDS: PUT /latest/api/token with
X-aws-ec2-metadata-token-ttl-seconds answers a session token; the
security-credentials paths demand it (401 without). Modes: normal, v1
(token PUT answers 403, GETs need no token), norole (role list 404),
slow (every answer waits 10 s), badjson (credentials are not JSON).
Every request is logged as "METHOD PATH token=yes|no auth=VALUE".
"""
import argparse
import http.server
import json
import time

IMDS_TOKEN = "imds-session-token-123"
ROLE = "test-role"


def creds(prefix):
    return {
        "Code": "Success",
        "AccessKeyId": prefix + "AKID",
        "SecretAccessKey": prefix + "-secret",
        "Token": prefix + "-token",
        "Expiration": "2030-01-02T03:04:05Z",
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--auth")
    ap.add_argument("--mode", default="normal")
    args = ap.parse_args()

    class H(http.server.BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def note(self):
            with open(args.log, "a") as f:
                tok = "yes" if self.headers.get("X-aws-ec2-metadata-token") == IMDS_TOKEN else "no"
                f.write("%s %s token=%s auth=%s\n" % (self.command, self.path, tok,
                                                       self.headers.get("Authorization", "")))

        def answer(self, code, body, ctype="application/json"):
            if args.mode == "slow":
                time.sleep(10)
            data = body.encode()
            self.send_response(code)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_PUT(self):
            self.note()
            if self.path != "/latest/api/token":
                return self.answer(404, "")
            if args.mode == "v1":
                return self.answer(403, "")
            if not self.headers.get("X-aws-ec2-metadata-token-ttl-seconds"):
                return self.answer(400, "")
            self.answer(200, IMDS_TOKEN, "text/plain")

        def do_GET(self):
            self.note()
            p = self.path
            if p.startswith("/creds"):
                if args.auth is not None and self.headers.get("Authorization") != args.auth:
                    return self.answer(401, "{}")
                if args.mode == "badjson":
                    return self.answer(200, "not json")
                return self.answer(200, json.dumps(creds("CONTAINER")))
            if p.startswith("/latest/meta-data/iam/security-credentials/"):
                if args.mode != "v1" and self.headers.get("X-aws-ec2-metadata-token") != IMDS_TOKEN:
                    return self.answer(401, "")
                rest = p[len("/latest/meta-data/iam/security-credentials/"):]
                if rest == "":
                    if args.mode == "norole":
                        return self.answer(404, "")
                    return self.answer(200, ROLE + "\n", "text/plain")
                if rest == ROLE:
                    return self.answer(200, json.dumps(creds("IMDS")))
            self.answer(404, "")

    srv = http.server.HTTPServer(("127.0.0.1", 0), H)
    with open(args.port_file + ".tmp", "w") as f:
        f.write(str(srv.server_address[1]))
    import os
    os.rename(args.port_file + ".tmp", args.port_file)
    srv.serve_forever()


if __name__ == "__main__":
    main()
