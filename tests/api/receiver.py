"""A real HTTP receiver on one of this engineer's ports, answering statuses from a script."""

import http.server
import threading


class Receiver:
    def __init__(self, statuses):
        self.statuses = list(statuses)
        self.received: list[tuple[dict, bytes]] = []
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = self._bind(Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/wif"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @staticmethod
    def _bind(handler):
        last_error = None
        for port in range(8180, 8190):
            try:
                return http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
            except OSError as error:
                last_error = error
        raise last_error

    def close(self):
        self.server.shutdown()
        self.server.server_close()
