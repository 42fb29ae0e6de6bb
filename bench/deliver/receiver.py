"""The benchmark's webhook receiver: a threaded HTTP server on loopback that verifies every
Standard Webhooks signature and appends ``seq receive_time webhook-id`` per delivery to a file.

``python -m bench.deliver.receiver PORT SECRET OUT_PATH`` (run by ``bench.deliver``).
"""

import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from momoflow.webhooks.signing import verify


def main(port, secret, out_path):
    out = open(out_path, "a", buffering=1)
    lock = threading.Lock()

    class Receiver(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            received = time.time()
            try:
                webhook_id = verify(secret, self.headers, body)
                seq = json.loads(body)["data"].get("benchSeq", -1)
                status = 204
            except Exception as error:  # a bad signature is a benchmark failure: answer 400
                webhook_id, seq, status = f"bad:{error}", -1, 400
            with lock:
                out.write(f"{seq} {received:.6f} {webhook_id}\n")
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    class Server(ThreadingHTTPServer):
        request_queue_size = 128  # the default backlog (5) drops connections under load
        daemon_threads = True

    Server(("127.0.0.1", port), Receiver).serve_forever()


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2], sys.argv[3])
