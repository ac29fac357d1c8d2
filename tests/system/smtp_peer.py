"""Small SMTP/LMTP servers on loopback for the smtp(8)/lmtp(8) tests:
a scripted, well-behaved peer that records what it was sent, and
hostile ones (silent, endless reply, huge line). Standard library only;
each runs in a thread and serves until closed."""
import socket
import threading


class Peer:
    """A listening socket on 127.0.0.1 served by a thread; serve(conn)
    handles one connection."""

    def __init__(self, host="127.0.0.1", port=0):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((host, port))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.sessions = 0
        self.stopped = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while not self.stopped:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.sessions += 1
            threading.Thread(target=self._serve, args=(conn,),
                             daemon=True).start()

    def _serve(self, conn):
        try:
            with conn:
                self.serve(conn)
        except OSError:
            pass

    def serve(self, conn):
        raise NotImplementedError

    def close(self):
        self.stopped = True
        self.sock.close()


class ScriptedPeer(Peer):
    """An SMTP (or LMTP) server: EHLO answers with ehlo_lines; RCPT
    answers rcpt_replies[address] (default 250); the end of data answers
    data_reply (LMTP: one reply per accepted recipient, lmtp_replies).
    commands and messages record what arrived."""

    def __init__(self, ehlo_lines=("PIPELINING", "SIZE 10240000",
                                   "8BITMIME", "DSN"),
                 rcpt_replies=None, data_reply="250 2.0.0 Ok: queued as XYZ",
                 lmtp_replies=None, mail_reply="250 2.1.0 Ok",
                 refuse_ehlo=False, host="127.0.0.1", port=0):
        self.refuse_ehlo = refuse_ehlo
        self.ehlo_lines = list(ehlo_lines)
        self.rcpt_replies = rcpt_replies or {}
        self.data_reply = data_reply
        self.lmtp_replies = lmtp_replies or {}
        self.mail_reply = mail_reply
        self.commands = []
        self.messages = []
        super().__init__(host, port)

    def serve(self, conn):
        f = conn.makefile("rwb", buffering=0)
        accepted = []
        lmtp = False
        f.write(b"220 peer.test ESMTP\r\n")
        while True:
            line = f.readline()
            if not line:
                return
            cmd = line.decode("latin-1").rstrip("\r\n")
            self.commands.append(cmd)
            verb = cmd.split(" ", 1)[0].split(":", 1)[0].upper()
            if verb == "EHLO" and self.refuse_ehlo:
                f.write(b"502 5.5.2 Error: command not recognized\r\n")
            elif verb in ("EHLO", "LHLO"):
                lmtp = verb == "LHLO"
                lines = ["250-peer.test"] + ["250-" + x
                                             for x in self.ehlo_lines]
                lines[-1] = "250 " + lines[-1][4:]
                f.write(("\r\n".join(lines) + "\r\n").encode())
            elif verb == "HELO":
                f.write(b"250 peer.test\r\n")
            elif verb == "MAIL":
                accepted = []
                f.write((self.mail_reply + "\r\n").encode())
            elif verb == "RCPT":
                addr = cmd[cmd.index("<") + 1:cmd.index(">")]
                reply = self.rcpt_replies.get(addr, "250 2.1.5 Ok")
                if reply.startswith("2"):
                    accepted.append(addr)
                f.write((reply + "\r\n").encode())
            elif verb == "DATA":
                if not accepted:
                    f.write(b"554 5.5.1 Error: no valid recipients\r\n")
                    continue
                f.write(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                data = b""
                while True:
                    piece = f.readline()
                    if not piece or piece == b".\r\n":
                        break
                    data += piece
                self.messages.append(data)
                if lmtp:
                    for addr in accepted:
                        reply = self.lmtp_replies.get(addr, "250 2.0.0 Ok")
                        f.write((reply + "\r\n").encode())
                else:
                    f.write((self.data_reply + "\r\n").encode())
            elif verb == "QUIT":
                f.write(b"221 2.0.0 Bye\r\n")
                return
            else:
                f.write(b"502 5.5.2 Error: command not recognized\r\n")


class SilentPeer(Peer):
    """Accepts and never says a word until the client goes away."""

    def serve(self, conn):
        while conn.recv(4096):
            pass


class EndlessPeer(Peer):
    """A greeting that never ends: "220-" lines for ever."""

    def serve(self, conn):
        line = b"220-" + b"x" * 60 + b"\r\n"
        while not self.stopped:
            conn.sendall(line * 100)


class HugeLinePeer(Peer):
    """A greeting of one line of a megabyte without a reply code."""

    def serve(self, conn):
        conn.sendall(b"x" * (1 << 20) + b"\r\n")
        while conn.recv(4096):
            pass
