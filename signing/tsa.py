"""A local RFC 3161 time-stamping authority on 127.0.0.1 (tests and the demo): pyHanko's DummyTimeStamper,
which signs every request with a TSA certificate issued by the demo CA, behind a small HTTP server that
speaks `application/timestamp-query` → `application/timestamp-reply`. Point SIGNING_TSA_URL at its `.url`."""
from __future__ import annotations

import asyncio

from core.loopback import LoopbackServer, QuietHandler

from . import ca as test_ca


def _asn1_cert(cert):
    from asn1crypto import x509 as ax509
    from cryptography.hazmat.primitives.serialization import Encoding

    return ax509.Certificate.load(cert.public_bytes(Encoding.DER))


class TimeStampSandbox(LoopbackServer):
    thread_name = "tsa-stand-in"

    def __init__(self, authority: test_ca.Issued):
        from asn1crypto import keys as akeys
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa
        from pyhanko.sign.timestamps import DummyTimeStamper

        issued = test_ca.issue(authority, "BHXH Demo TSA", key=rsa.generate_private_key(65537, 2048), tsa=True)
        key = akeys.PrivateKeyInfo.load(issued.key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
        self.stamper = DummyTimeStamper(tsa_cert=_asn1_cert(issued.cert), tsa_key=key,
                                        certs_to_embed=[_asn1_cert(authority.cert)])
        self.requests = 0
        self.down = False  # a test sets it to see the TSA refuse

    def handler_class(self):
        class Handler(QuietHandler):
            def do_POST(self):
                from asn1crypto import tsp

                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                sandbox = self.sandbox
                sandbox.requests += 1
                if sandbox.down:
                    self._send(503, b"down", "text/plain")
                    return
                request = tsp.TimeStampReq.load(body)
                reply = asyncio.run(sandbox.stamper.async_request_tsa_response(request))
                self._send(200, reply.dump(), "application/timestamp-reply")

        return Handler
