#!/usr/bin/env python3
"""An HTTP fault proxy for the S3 tests: sits between a client and RGW on
loopback and, by rule, breaks some requests.

    faultproxy.py --upstream 127.0.0.1:PORT --port-file F --log L [--rule R]...

A rule is ACTION:PART:COUNT. PART is the partNumber of an UploadPart
request, 0 for a PUT without partNumber (a single PutObject); COUNT is how
many times the rule fires (-1: always). ACTIONS:
  drop      read half the body, then close the connection (no answer)
  slowdown  answer 503 SlowDown (S3 XML error)
  stall     read part of the body, then neither read nor answer for 120 s
  deny      answer 403 AccessDenied (a permanent failure)
Every other request goes to the upstream unchanged (Expect is handled
here). Each fault is logged as "ACTION part=N" in the log file.
"""
import argparse
import http.client
import socket
import socketserver
import sys
import threading
import time
import urllib.parse

lock = threading.Lock()
rules = []  # [action, part, remaining]
log_path = None
upstream = None


def log(line):
    with lock:
        with open(log_path, "a") as f:
            f.write(line + "\n")


def pick(method, query):
    if method != "PUT":
        return None
    q = urllib.parse.parse_qs(query)
    part = int(q["partNumber"][0]) if "partNumber" in q else 0
    with lock:
        for r in rules:
            if r[1] == part and r[2] != 0:
                if r[2] > 0:
                    r[2] -= 1
                return r[0], part
    return None


def error_xml(code):
    return ('<?xml version="1.0" encoding="UTF-8"?><Error><Code>%s</Code>'
            '<Message>injected by faultproxy</Message><RequestId>fault-1</RequestId>'
            '</Error>' % code).encode()


class Handler(socketserver.StreamRequestHandler):
    def read_head(self):
        line = self.rfile.readline(65536)
        if not line:
            return None
        method, target, _ = line.decode("latin-1").split(" ", 2)
        headers = []
        while True:
            h = self.rfile.readline(65536).decode("latin-1")
            if h in ("\r\n", "\n", ""):
                break
            name, value = h.split(":", 1)
            headers.append((name.strip(), value.strip()))
        return method, target, headers

    def answer(self, status, reason, body, close=True):
        self.wfile.write(("HTTP/1.1 %d %s\r\nContent-Type: application/xml\r\n"
                          "Content-Length: %d\r\nConnection: close\r\n\r\n"
                          % (status, reason, len(body))).encode() + body)
        self.wfile.flush()

    def handle(self):
        while True:
            head = self.read_head()
            if head is None:
                return
            method, target, headers = head
            hmap = {k.lower(): v for k, v in headers}
            length = int(hmap.get("content-length", "0"))
            expect = hmap.get("expect", "").lower() == "100-continue"
            path, _, query = target.partition("?")
            fault = pick(method, query)
            if fault:
                action, part = fault
                log("%s part=%d" % (action, part))
                if action == "slowdown":
                    self.answer(503, "Slow Down", error_xml("SlowDown"))
                    return
                if action == "deny":
                    self.answer(403, "Forbidden", error_xml("AccessDenied"))
                    return
                if expect:
                    self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
                    self.wfile.flush()
                if action == "drop":
                    self.rfile.read(length // 2)
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                if action == "stall":
                    self.rfile.read(min(length, 65536) // 2)
                    time.sleep(120)
                    return
            if expect:
                self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
                self.wfile.flush()
            body = self.rfile.read(length) if length else b""
            conn = http.client.HTTPConnection(upstream[0], upstream[1], timeout=120)
            fwd = {k: v for k, v in headers if k.lower() not in ("expect", "connection")}
            conn.putrequest(method, target, skip_host=True, skip_accept_encoding=True)
            for k, v in fwd.items():
                conn.putheader(k, v)
            conn.endheaders(body if method not in ("GET", "HEAD") or body else None)
            resp = conn.getresponse()
            data = resp.read()
            out = "HTTP/1.1 %d %s\r\n" % (resp.status, resp.reason)
            for k, v in resp.getheaders():
                if k.lower() in ("transfer-encoding", "connection", "content-length"):
                    continue
                out += "%s: %s\r\n" % (k, v)
            if method == "HEAD":
                cl = resp.getheader("content-length")
                if cl is not None:
                    out += "Content-Length: %s\r\n" % cl
                data = b""
            else:
                out += "Content-Length: %d\r\n" % len(data)
            out += "Connection: keep-alive\r\n\r\n"
            self.wfile.write(out.encode("latin-1") + data)
            self.wfile.flush()
            conn.close()


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    global log_path, upstream
    ap = argparse.ArgumentParser()
    ap.add_argument("--upstream", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--rule", action="append", default=[])
    a = ap.parse_args()
    log_path = a.log
    host, port = a.upstream.rsplit(":", 1)
    upstream = (host, int(port))
    for r in a.rule:
        action, part, count = r.split(":")
        if action not in ("drop", "slowdown", "stall", "deny"):
            sys.exit("faultproxy: unknown action %r" % action)
        rules.append([action, int(part), int(count)])
    open(log_path, "a").close()
    srv = Server(("127.0.0.1", 0), Handler)
    with open(a.port_file + ".tmp", "w") as f:
        f.write(str(srv.server_address[1]))
    import os
    os.rename(a.port_file + ".tmp", a.port_file)
    srv.serve_forever()


if __name__ == "__main__":
    main()
