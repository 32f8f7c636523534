"""HTTP(S) listeners (stdlib ThreadingHTTPServer, HTTP/1.1 keep-alive) serving one Org on loopback."""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import socket
import ssl
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from sfdc_emulator.org.org import Org
from sfdc_emulator.server.http import Request, Response
from sfdc_emulator.server.routing import dispatch

log = logging.getLogger("sfdc_emulator")

MAX_BODY = 150 * 1024 * 1024


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # TCP_NODELAY: a response goes out as two writes (headers, then body); with Nagle's algorithm the body
    # waited for the client's delayed ACK of the headers, 40 ms or more on every keep-alive request.
    disable_nagle_algorithm = True
    server_version = "sfdc_emulator"
    sys_version = ""
    server: _Listener

    def log_message(self, format: str, *args: object) -> None:
        log.debug("%s %s", self.address_string(), format % args)

    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            raise ValueError("body too large")
        return self.rfile.read(length) if length else b""

    def _handle(self) -> None:
        try:
            body = self._read_body()
        except (ValueError, OSError):
            self.send_error(400)
            return
        request = Request.build(
            self.command,
            self.path,
            dict(self.headers.items()),
            body,
            scheme=self.server.scheme,
            host=self.headers.get("Host") or f"{self.server.host}:{self.server.server_port}",
            client_ip=self.client_address[0],
        )
        if request.path.startswith("/_emulator") and not _is_loopback(request.client_ip):
            response = Response(403, [{"errorCode": "FORBIDDEN", "message": "control API is loopback-only"}])
        else:
            response = dispatch(self.server.org, request)
        self._send(response)

    def _send(self, response: Response) -> None:
        data = response.encode()
        self.send_response(response.status)
        if data or response.status not in (204, 304):
            self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(data)))
        for key, value in response.headers.items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD" and data:
            self.wfile.write(data)

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = do_HEAD = _handle


def _is_loopback(ip: str) -> bool:
    try:
        return ipaddress.ip_address(ip.split("%")[0]).is_loopback
    except ValueError:
        return False


class _Listener(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, org: Org, host: str, port: int, ssl_context: ssl.SSLContext | None) -> None:
        self.org = org
        self.host = host
        self.scheme = "https" if ssl_context else "http"
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.address_family = family
        super().__init__((host, port), _Handler)
        self.open_connections: set[socket.socket] = set()
        if ssl_context is not None:
            self.socket = ssl_context.wrap_socket(
                self.socket, server_side=True, do_handshake_on_connect=False
            )

    def finish_request(self, request: socket.socket, client_address: tuple) -> None:  # type: ignore[override]
        if isinstance(request, ssl.SSLSocket):
            try:
                request.do_handshake()
            except (ssl.SSLError, OSError):
                return
        self.open_connections.add(request)
        try:
            super().finish_request(request, client_address)
        finally:
            self.open_connections.discard(request)

    def handle_error(self, request: object, client_address: tuple) -> None:
        """A client gone mid-reply (a long poll whose listener was killed) is routine, not a traceback."""
        error = sys.exc_info()[1]
        if isinstance(error, ssl.SSLError | ConnectionError | BrokenPipeError):
            log.debug("client %s went away: %s", client_address, error)
            return
        super().handle_error(request, client_address)

    def cut_connections(self) -> None:
        """Drop every open connection, parked long polls included, as a process that stops would."""
        for connection in list(self.open_connections):
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


class EmulatorServer:
    """Serve `org` on HTTPS (`port`) and plain HTTP (`http_port`); port 0 picks a free one."""

    def __init__(
        self,
        org: Org,
        *,
        host: str = "127.0.0.1",
        port: int = 8443,
        http_port: int | None = 8080,
        cert_file: Path | None = None,
        key_file: Path | None = None,
    ) -> None:
        self.org = org
        self.host = host
        self.listeners: list[_Listener] = []
        self._threads: list[threading.Thread] = []
        self._serving: list[_Listener] = []
        if port is not None and cert_file is not None and key_file is not None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(str(cert_file), str(key_file))
            self.https = _Listener(org, host, port, context)
            self.listeners.append(self.https)
        else:
            self.https = None
        self.http = _Listener(org, host, http_port, None) if http_port is not None else None
        if self.http is not None:
            self.listeners.append(self.http)

    def _url(self, listener: _Listener | None) -> str | None:
        if listener is None:
            return None
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{listener.scheme}://{host}:{listener.server_port}"

    @property
    def https_url(self) -> str | None:
        return self._url(self.https)

    @property
    def http_url(self) -> str | None:
        return self._url(self.http)

    def start(self) -> None:
        for listener in self.listeners:
            thread = threading.Thread(
                target=listener.serve_forever, name=f"emulator-{listener.scheme}", daemon=True
            )
            thread.start()
            self._threads.append(thread)
            self._serving.append(listener)

    def serve_forever(self) -> None:
        self.start()
        # Join with a timeout: a SIGTERM that the kernel hands to a serving thread does not wake a main
        # thread blocked in a plain join(), and Python runs signal handlers only in the main thread.
        while any(thread.is_alive() for thread in self._threads):
            for thread in self._threads:
                thread.join(timeout=0.5)

    def stop(self) -> None:
        for listener in self.listeners:
            # shutdown() waits for the listener's serve_forever loop: a SIGTERM landing inside start()
            # leaves a listener that never got its thread, and waiting for it would hang forever.
            if listener in self._serving:
                listener.shutdown()
            listener.server_close()
            listener.cut_connections()
        for thread in self._threads:
            thread.join(timeout=5)
