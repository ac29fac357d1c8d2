"""Postfix's attribute protocol for tests (docs/protocols/attr.md):
"name\\0value\\0" pairs, an empty name ends a message."""
import socket


def encode(pairs):
    """One attribute message in the null form."""
    out = b""
    for name, value in pairs:
        out += name.encode() + b"\0" + str(value).encode() + b"\0"
    return out + b"\0"


class AttrStream:
    """A UNIX-domain stream connection speaking attribute messages."""

    def __init__(self, path, timeout=10):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect(str(path))
        self.buf = b""

    def field(self):
        """The next NUL-terminated field; EOFError when the server hung up."""
        while b"\0" not in self.buf:
            data = self.sock.recv(4096)
            if not data:
                raise EOFError("connection closed")
            self.buf += data
        item, self.buf = self.buf.split(b"\0", 1)
        return item.decode()

    def recv(self):
        """One message as a list of (name, value) pairs."""
        pairs = []
        while True:
            name = self.field()
            if name == "":
                return pairs
            pairs.append((name, self.field()))

    def send(self, pairs):
        self.sock.sendall(encode(pairs))
