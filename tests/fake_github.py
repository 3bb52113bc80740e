"""A stand-in for the GitHub comments API on 127.0.0.1, for the client and the Action tests."""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

PAGE = 2  # small pages, so that listing needs the Link header


class FakeGitHub:
    def __init__(self) -> None:
        self.comments: list[dict[str, Any]] = []
        self.requests: list[tuple[str, str, dict[str, str], bytes]] = []
        self.failures: list[tuple[int, dict[str, str], bytes]] = []  # served first, in order
        self.next_id = 1000
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _reply(self, status: int, body: object, headers: dict[str, str] | None = None) -> None:
                payload = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def _handle(self, method: str) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                with fake.lock:
                    fake.requests.append((method, self.path, dict(self.headers.items()), body))
                    if fake.failures:
                        status, headers, payload = fake.failures.pop(0)
                        return self._reply(status, payload or {"message": "failure"}, headers)
                    return fake.route(self, method, body)

            def do_GET(self) -> None:
                self._handle("GET")

            def do_POST(self) -> None:
                self._handle("POST")

            def do_PATCH(self) -> None:
                self._handle("PATCH")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeGitHub:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def route(self, handler: Any, method: str, body: bytes) -> None:
        path, _, query = handler.path.partition("?")
        listing = re.fullmatch(r"/repos/([^/]+)/([^/]+)/issues/(\d+)/comments", path)
        single = re.fullmatch(r"/repos/([^/]+)/([^/]+)/issues/comments/(\d+)", path)
        if listing and method == "GET":
            page = int(dict(p.split("=") for p in query.split("&") if "=" in p).get("page", "1"))
            items = self.comments[(page - 1) * PAGE : page * PAGE]
            headers = {}
            if page * PAGE < len(self.comments):
                headers["Link"] = f'<{self.url}{path}?per_page=100&page={page + 1}>; rel="next"'
            return handler._reply(200, items, headers)
        if listing and method == "POST":
            comment = {"id": self.next_id, "body": json.loads(body)["body"]}
            self.next_id += 1
            self.comments.append(comment)
            return handler._reply(201, comment)
        if single and method == "PATCH":
            for comment in self.comments:
                if comment["id"] == int(single.group(3)):
                    comment["body"] = json.loads(body)["body"]
                    return handler._reply(200, comment)
            return handler._reply(404, {"message": "Not Found"})
        return handler._reply(404, {"message": "Not Found"})
