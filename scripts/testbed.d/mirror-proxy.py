#!/usr/bin/env python3
"""A forward HTTP proxy for the test hosts that reaches Debian's package mirrors and nothing else.

Test containers have no route out of their own veth link; apt inside them uses this proxy on the
host side of the link. Requests for any host but the allowed mirrors are refused with 403.
Usage: mirror-proxy.py PORT
"""
import http.client
import http.server
import socketserver
import sys
import urllib.parse

ALLOWED_HOSTS = {"deb.debian.org", "security.debian.org"}
HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade"}


class MirrorProxy(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        self.forward(send_body=True)

    def do_HEAD(self):
        self.forward(send_body=False)

    def forward(self, send_body):
        url = urllib.parse.urlsplit(self.path)
        if url.scheme != "http" or url.hostname not in ALLOWED_HOSTS:
            self.send_error(403, "only Debian's package mirrors are reachable from test hosts")
            return
        path = url.path + ("?" + url.query if url.query else "")
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP and k.lower() != "host"}
        try:
            upstream = http.client.HTTPConnection(url.hostname, url.port or 80, timeout=60)
            upstream.request(self.command, path, headers=headers)
            response = upstream.getresponse()
        except OSError as error:
            self.send_error(502, f"mirror unreachable: {error}")
            return
        self.send_response(response.status, response.reason)
        length = response.getheader("Content-Length")
        for key, value in response.getheaders():
            if key.lower() not in HOP_BY_HOP:
                self.send_header(key, value)
        if length is None and send_body:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if send_body:
            while chunk := response.read(65536):
                self.wfile.write(chunk)
        upstream.close()

    def log_message(self, format, *args):
        sys.stderr.write("%s %s\n" % (self.address_string(), format % args))


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


if __name__ == "__main__":
    Server(("0.0.0.0", int(sys.argv[1])), MirrorProxy).serve_forever()
