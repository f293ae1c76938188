"""A minimal password-protected PDF written by hand (pypdfium2 cannot encrypt).

Standard security handler, revision 2 (40-bit RC4), as in the PDF 1.7 spec
(algorithms 3.2-3.4). The single page has no content, so no stream needs encrypting.
"""

from __future__ import annotations

import hashlib
import struct

_PAD = bytes.fromhex("28BF4E5E4E758A4164004E56FFFA01082E2E00B6D0683E802F0CA9FE6453697A")


def _rc4(key: bytes, data: bytes) -> bytes:
    s = list(range(256))
    j = 0
    for i in range(256):
        j = (j + s[i] + key[i % len(key)]) % 256
        s[i], s[j] = s[j], s[i]
    out = bytearray()
    i = j = 0
    for byte in data:
        i = (i + 1) % 256
        j = (j + s[i]) % 256
        s[i], s[j] = s[j], s[i]
        out.append(byte ^ s[(s[i] + s[j]) % 256])
    return bytes(out)


def _padded(password: str) -> bytes:
    return (password.encode("latin-1") + _PAD)[:32]


def encrypted_pdf(user_password: str, owner_password: str = "owner") -> bytes:
    """A one-page PDF that opens only with ``user_password`` (or the owner's)."""
    doc_id = hashlib.md5(b"dots-desktop-test").digest()
    permissions = -4
    owner_key = hashlib.md5(_padded(owner_password)).digest()[:5]
    o_value = _rc4(owner_key, _padded(user_password))
    key = hashlib.md5(
        _padded(user_password) + o_value + struct.pack("<i", permissions) + doc_id
    ).digest()[:5]
    u_value = _rc4(key, _PAD)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] >>",
        b"<< /Filter /Standard /V 1 /R 2 /O <"
        + o_value.hex().encode()
        + b"> /U <"
        + u_value.hex().encode()
        + b"> /P "
        + str(permissions).encode()
        + b" >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    hex_id = doc_id.hex().encode()
    out += (
        b"trailer\n<< /Size 5 /Root 1 0 R /Encrypt 4 0 R /ID [<"
        + hex_id
        + b"> <"
        + hex_id
        + b">] >>\nstartxref\n"
        + str(xref).encode()
        + b"\n%%EOF\n"
    )
    return bytes(out)
