"""A TCP proxy that a test controls, put between a process and PostgreSQL: give the process a
DATABASE_URL pointing at the proxy, and `outage()` makes the database unreachable for it. Every
open connection is reset and every new one refused (accepted and reset at once, which a client
sees as a server that is down) until the outage ends; the database itself never notices."""

import contextlib
import socket
import struct
import threading


def reset(sock: socket.socket) -> None:
    """Close `sock` with a reset, not a polite FIN, and wake any thread blocked on it."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()


class TcpProxy:
    def __init__(self, upstream: tuple[str, int]):
        self.upstream = upstream
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)  # so that the accepting thread notices `close()`
        self.port = self._listener.getsockname()[1]
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._up = True
        self._closed = False
        self._trigger: list[bytes | None] | None = None  # see `cut_when`
        # What the outages did, so that a test can tell its fault reached the other side.
        self.cut = 0  # connections reset by an outage
        self.refused = 0  # connections refused during one
        self._accepting = threading.Thread(target=self._accept, daemon=True)
        self._accepting.start()

    def url(self, database_url: str) -> str:
        """`database_url` (postgres://user@host:port/name) with the proxy as its host."""
        scheme, rest = database_url.split("://", 1)
        credentials, _, location = rest.rpartition("@")
        path = location.split("/", 1)[1]
        at = f"{credentials}@" if credentials else ""
        return f"{scheme}://{at}127.0.0.1:{self.port}/{path}"

    def cut_all(self) -> None:
        """The database goes away: reset every connection, refuse new ones."""
        with self._lock:
            self._up = False
            dropped, self._open = self._open, set()
        for sock in dropped:
            reset(sock)
        self.cut += len(dropped) // 2  # a connection is a pair: the client's, the server's

    def restore(self) -> None:
        with self._lock:
            self._up = True

    @property
    def up(self) -> bool:
        return self._up

    def cut_when(self, statement: bytes, *, after: bytes) -> None:
        """Begin an outage at an exact point of a conversation: as a client sends `statement`
        (which never reaches the database), once a client has sent `after`. It lasts until
        `restore()`."""
        with self._lock:
            self._trigger = [after, statement]

    def _tripped(self, data: bytes) -> bool:
        with self._lock:
            if self._trigger is None:
                return False
            after, statement = self._trigger
            if after is not None:
                if after in data:
                    self._trigger[0] = None
                return False
            if statement in data:
                self._trigger = None
                return True
            return False

    @contextlib.contextmanager
    def outage(self):
        self.cut_all()
        try:
            yield self
        finally:
            self.restore()

    def close(self) -> None:
        self._closed = True
        self._accepting.join(timeout=5)
        self._listener.close()
        self.cut_all()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            client.settimeout(None)
            self._connect(client)

    def _connect(self, client: socket.socket) -> None:
        if not self._up:
            self.refused += 1
            reset(client)
            return
        try:
            server = socket.create_connection(self.upstream, timeout=5)
        except OSError:
            reset(client)
            return
        server.settimeout(None)
        with self._lock:
            if not self._up:  # an outage began while we connected
                self.refused += 1
                reset(client)
                reset(server)
                return
            self._open |= {client, server}
        for source, target, to_server in ((client, server, True), (server, client, False)):
            pipe = threading.Thread(target=self._pipe, args=(source, target, to_server))
            pipe.daemon = True
            pipe.start()

    def _pipe(self, source: socket.socket, target: socket.socket, to_server: bool) -> None:
        try:
            while data := source.recv(65536):
                if to_server and self._tripped(data):
                    self.cut_all()
                    return
                target.sendall(data)
        except OSError:
            pass  # reset by an outage, or by the other side
        with self._lock:
            ours = source in self._open
            self._open -= {source, target}
        if ours:  # an ordinary end of the conversation: pass it on to the other side
            with contextlib.suppress(OSError):
                target.shutdown(socket.SHUT_RDWR)
            source.close()
            target.close()
