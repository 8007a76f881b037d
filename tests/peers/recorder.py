#!/usr/bin/python3
"""A loopback HTTP listener that records requests (a test fixture).

recorder.py PORTFILE LOGFILE [SECONDS]: listens on 127.0.0.1 (a free port,
written to PORTFILE), appends one JSON line per request to LOGFILE
{method, path, headers, body}, and answers 200 with a CreateJob-shaped
response. Exits by itself after SECONDS (default 60).
"""
import json, sys, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

portfile, logfile = sys.argv[1], sys.argv[2]
seconds = float(sys.argv[3]) if len(sys.argv) > 3 else 60.0


class H(BaseHTTPRequestHandler):
    def _any(self):
        n = int(self.headers.get('Content-Length') or 0)
        body = self.rfile.read(n).decode('utf-8') if n else ''
        with open(logfile, 'a') as f:
            f.write(json.dumps({'method': self.command, 'path': self.path,
                                'headers': dict(self.headers), 'body': body}) + '\n')
        job = self.path.rsplit('/', 1)[-1]
        out = json.dumps({'jobArn': 'arn:aws:iot:us-east-1:123456789012:job/' + job,
                          'jobId': job}).encode()
        self.send_response(200)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    do_PUT = do_GET = do_POST = _any

    def log_message(self, *a):
        pass


srv = ThreadingHTTPServer(('127.0.0.1', 0), H)
with open(portfile + '.tmp', 'w') as f:
    f.write(str(srv.server_address[1]))
import os
os.rename(portfile + '.tmp', portfile)
threading.Timer(seconds, srv.shutdown).start()
srv.serve_forever()
