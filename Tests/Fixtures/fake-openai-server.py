"""A misbehaving OpenAI-compatible server for rakis's backend tests.

usage: fake-openai-server.py MODE PORT [TEXT]
MODE: garbage (200 with a body that is not JSON), http500 (an error with a JSON message),
bad-stream (event stream with a broken event), cut-stream (stream that ends without [DONE]),
silent (accepts the request and never answers), ok-stream (a short valid stream), say (a valid
stream of TEXT, whatever was asked: a node that answers fluently and wrongly).
GET /ready answers 200 with the server's pid in every mode (so the tests know it is this server).
"""
import http.server
import json
import os
import sys
import time

MODE, PORT = sys.argv[1], int(sys.argv[2])
TEXT = sys.argv[3] if len(sys.argv) > 3 else ""


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        body = str(os.getpid()).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def send(self, status, body, content_type="application/json"):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def stream(self, events):
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Connection", "close")
        self.end_headers()
        for event in events:
            self.wfile.write(event.encode())
            self.wfile.flush()
        self.close_connection = True

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        request = json.loads(self.rfile.read(length))
        chunk = lambda text: "data: " + json.dumps({"choices": [{"delta": {"content": text}, "finish_reason": None}]}) + "\n\n"
        if MODE == "garbage":
            self.send(200, b"<html>this is not json</html>", "text/html")
        elif MODE == "http500":
            self.send(500, json.dumps({"error": {"message": "model overloaded"}}).encode())
        elif MODE == "bad-stream":
            self.stream([chunk("Hel"), "data: {not json\n\n"])
        elif MODE == "cut-stream":
            self.stream([chunk("Hel"), chunk("lo")])
        elif MODE == "silent":
            time.sleep(30)
        elif MODE == "say":
            done = {"choices": [{"delta": {}, "finish_reason": "stop"}], "usage": {"prompt_tokens": 3, "completion_tokens": len(TEXT.split())}}
            self.stream([chunk(TEXT), "data: " + json.dumps(done) + "\n\n", "data: [DONE]\n\n"])
        elif MODE == "ok-stream":
            assert request["stream"] is True and request["messages"][0]["role"] == "user"
            done = {"choices": [{"delta": {}, "finish_reason": "stop"}], "usage": {"prompt_tokens": 3, "completion_tokens": 2}}
            self.stream([chunk("Hel"), chunk("lo"), "data: " + json.dumps(done) + "\n\n", "data: [DONE]\n\n"])


http.server.ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
