#!/usr/bin/env python3
"""A webhook receiver for the alerting tests: writes each POST it gets to DIR/request-N.json as
{"path", "headers", "body"} and answers 200, or 500 to the first FAIL_FIRST requests, or a 302 to
the cloud metadata address for paths under /redirect. Prints READY
once it listens on 127.0.0.1:PORT."""
import json
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

directory, port = sys.argv[1], int(sys.argv[2])
fail_first = int(sys.argv[3]) if len(sys.argv) > 3 else 0
count = 0
lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        global count
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(min(length, 1 << 20)).decode("utf-8", "replace")
        with lock:
            count += 1
            number = count
        record = {"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body}
        status = 500 if number <= fail_first else 200
        if self.path.startswith("/redirect"):
            status = 302  # to the cloud metadata address, which the hub must not be led to
        record["answered"] = status
        temporary = os.path.join(directory, f".request-{number}.json")
        with open(temporary, "w") as file:
            json.dump(record, file)
        os.rename(temporary, os.path.join(directory, f"request-{number}.json"))
        self.send_response(status)
        if status == 302:
            self.send_header("Location", "http://169.254.169.254/latest/meta-data/")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
print("READY", flush=True)
server.serve_forever()
