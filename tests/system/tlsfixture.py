"""A throwaway test PKI made with the `openssl` command line.

TestPKI(directory) creates a CA, and server and client certificates signed
by it, in RSA and ECDSA flavours:
  ca.pem                     the CA certificate (CAfile for both sides)
  server-rsa.{key,crt}       CN and DNS name "localhost" plus extra names
  server-ec.{key,crt}        the same names, ECDSA P-256
  server-chain.pem           key + certificate in one file (chain_files)
  client.{key,crt}           CN "client.example.test", RSA
  other-ca.pem, stranger.{key,crt}: a second CA and a client it signed
  sni.{key,crt}              "sni.example.test", ECDSA, for SNI tables
Used by the TLS tests of smtpd (test_smtpd_tls.py) and of the client.
"""
import base64
import subprocess
from pathlib import Path


def _openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


class TestPKI:
    __test__ = False    # not a pytest test class

    def __init__(self, directory, names=("localhost", "mx.example.test")):
        self.dir = Path(directory)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.names = list(names)
        self._ca("ca")
        self._ca("other-ca")
        self._leaf("server-rsa", "ca", ["-newkey", "rsa:2048"], self.names)
        self._leaf("server-ec", "ca",
                   ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"],
                   self.names)
        self._leaf("client", "ca", ["-newkey", "rsa:2048"],
                   ["client.example.test"])
        self._leaf("stranger", "other-ca", ["-newkey", "rsa:2048"],
                   ["stranger.example.test"])
        self._leaf("sni", "ca",
                   ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"],
                   ["sni.example.test"])
        chain = self.path("server-rsa.key").read_text() \
            + self.path("server-rsa.crt").read_text()
        self.path("server-chain.pem").write_text(chain)
        for key in self.dir.glob("*.key"):
            key.chmod(0o600)

    def path(self, name):
        return self.dir / name

    def _ca(self, name):
        _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes",
                 "-keyout", f"{name}.key", "-out", f"{name}.pem",
                 "-days", "2", "-subj", f"/O=Postern Test/CN={name}",
                 "-addext", "basicConstraints=critical,CA:TRUE",
                 "-addext", "keyUsage=critical,keyCertSign,cRLSign",
                 cwd=self.dir)

    def _leaf(self, name, ca, keyopts, names):
        ext = self.dir / f"{name}.ext"
        ext.write_text("basicConstraints=CA:FALSE\n"
                       "subjectAltName="
                       + ",".join(f"DNS:{n}" for n in names) + "\n"
                       "extendedKeyUsage=serverAuth,clientAuth\n")
        _openssl("req", "-new", *keyopts, "-nodes", "-keyout", f"{name}.key",
                 "-out", f"{name}.csr", "-subj", f"/CN={names[0]}",
                 cwd=self.dir)
        _openssl("x509", "-req", "-in", f"{name}.csr", "-CA", f"{ca}.pem",
                 "-CAkey", f"{ca}.key", "-CAcreateserial", "-days", "2",
                 "-extfile", ext.name, "-out", f"{name}.crt", cwd=self.dir)

    def sni_value(self, name):
        """A tls_server_sni_maps value: key and certificate, base64, as
        `postmap -F` stores it."""
        pem = self.path(f"{name}.key").read_bytes() + b"\n" \
            + self.path(f"{name}.crt").read_bytes()
        return base64.b64encode(pem).decode()

    def fingerprint(self, name, digest="sha256"):
        """The certificate fingerprint as Postfix prints it: AB:CD:..."""
        out = subprocess.run(["openssl", "x509", "-noout", "-fingerprint",
                              f"-{digest}", "-in", str(self.path(name))],
                             check=True, capture_output=True, text=True)
        return out.stdout.strip().split("=", 1)[1]
