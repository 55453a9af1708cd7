#!/usr/bin/env python3
"""A stand-in for the Docker Engine API on a unix socket, for the agent's end-to-end test: three
containers (web running and healthy, sick running and unhealthy, exits exited with code 3), their
details and stats, a `die` and a `health_status: unhealthy` event on the event stream, and the
container actions (each POST/DELETE is written to DIR/actions.log). `logs` answers in Docker's
multiplexed frame format; asked for the lines `since` a time, sick logs an error with its token. Usage: fake-docker.py DIR PORT_UNUSED; the socket is DIR/docker.sock.
Prints READY once it listens."""
import json
import os
import socketserver
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler
from urllib.parse import urlparse, parse_qs

directory = sys.argv[1]
socket_path = os.path.join(directory, "docker.sock")
lock = threading.Lock()

CONTAINERS = {
    "web": {"Id": "a" * 64, "State": "running", "Status": "Up 2 minutes (healthy)", "Health": "healthy", "ExitCode": 0,
            "Env": ["PATH=/usr/bin", "DB_PASSWORD=hunter2-very-secret", "MODE=production"]},
    "sick": {"Id": "b" * 64, "State": "running", "Status": "Up 2 minutes (unhealthy)", "Health": "unhealthy", "ExitCode": 0,
             "Env": ["API_TOKEN=tok-123456"]},
    "exits": {"Id": "c" * 64, "State": "exited", "Status": "Exited (3) 1 minute ago", "Health": None, "ExitCode": 3, "Env": []},
}
usage = {"total": 1_000_000_000, "system": 100_000_000_000}


def find(reference):
    for name, container in CONTAINERS.items():
        if reference in (name, container["Id"], container["Id"][:12]):
            return name, container
    return None, None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def address_string(self):
        return "unix"

    def send_json(self, value, status=200):
        body = json.dumps(value).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def refuse_without_host(self):
        # As Docker does: an HTTP/1.1 request must name a host, even over a unix socket.
        if not self.headers.get("Host"):
            self.send_json({"message": "400 Bad Request: missing required Host header"}, 400)
            return True
        return False

    def do_GET(self):
        if self.refuse_without_host():
            return
        url = urlparse(self.path)
        parts = [p for p in url.path.split("/") if p]
        if parts == ["containers", "json"]:
            return self.send_json([
                {"Id": c["Id"], "Names": ["/" + name], "Image": "busybox:latest", "State": c["State"], "Status": c["Status"],
                 "Ports": [{"IP": "0.0.0.0", "PrivatePort": 80, "PublicPort": 8080, "Type": "tcp"}] if name == "web" else [],
                 "Created": 1800000000}
                for name, c in CONTAINERS.items()])
        if parts == ["events"]:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            now = time.time_ns()
            for event in [
                {"Type": "container", "Action": "die", "Actor": {"ID": "c" * 64, "Attributes": {"exitCode": "3", "name": "exits"}},
                 "time": now // 10**9, "timeNano": now},
                {"Type": "container", "Action": "health_status: unhealthy", "Actor": {"ID": "b" * 64, "Attributes": {"name": "sick"}},
                 "time": now // 10**9, "timeNano": now + 1},
            ]:
                line = (json.dumps(event) + "\n").encode()
                self.wfile.write(b"%x\r\n%s\r\n" % (len(line), line))
                self.wfile.flush()
            while True:  # an open stream, as Docker's is
                time.sleep(1)
        if len(parts) == 3 and parts[0] == "containers":
            name, container = find(parts[1])
            if container is None:
                return self.send_json({"message": "No such container: " + parts[1]}, 404)
            if parts[2] == "json":
                state = {"Status": container["State"], "ExitCode": container["ExitCode"], "OOMKilled": False,
                         "StartedAt": "2027-01-15T08:00:00.123456789Z"}
                if container["Health"]:
                    state["Health"] = {"Status": container["Health"]}
                return self.send_json({"State": state, "RestartCount": 1 if name == "sick" else 0, "Config": {"Env": container["Env"]}})
            if parts[2] == "stats":
                with lock:
                    usage["total"] += 500_000_000
                    usage["system"] += 10_000_000_000
                    return self.send_json({"cpu_stats": {"cpu_usage": {"total_usage": usage["total"]}, "system_cpu_usage": usage["system"],
                                                         "online_cpus": 2}, "memory_stats": {"usage": 12 << 20, "limit": 256 << 20}})
            if parts[2] == "logs":
                query = parse_qs(url.query)
                tail = int(query.get("tail", ["200"])[0])
                lines = [f"{name} line {i}\n".encode() for i in range(1, 501)][-tail:]
                if "since" in query:  # what the agent asks for its log rules: the newest lines
                    lines = [f"{name}: ERROR database unreachable (token tok-123456)\n".encode()] if name == "sick" else []
                body = b"".join(struct.pack(">BxxxL", 1 if i % 2 else 2, len(l)) + l for i, l in enumerate(lines))
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
        self.send_json({"message": "page not found"}, 404)

    def act(self):
        if self.refuse_without_host():
            return
        parts = [p for p in urlparse(self.path).path.split("/") if p]
        name, container = find(parts[1]) if len(parts) >= 2 else (None, None)
        if container is None:
            return self.send_json({"message": "No such container"}, 404)
        action = parts[2] if len(parts) == 3 else "remove"
        with open(os.path.join(directory, "actions.log"), "a") as log:
            log.write(f"{self.command} {action} {name}\n")
        if action == "remove":
            del CONTAINERS[name]
        elif action in ("stop",):
            container["State"] = "exited"
        elif action in ("start", "restart"):
            container["State"] = "running"
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_POST = act
    do_DELETE = act

    def log_message(self, *args):
        pass


class Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


if os.path.exists(socket_path):
    os.unlink(socket_path)
server = Server(socket_path, Handler)
print("READY", flush=True)
server.serve_forever()
