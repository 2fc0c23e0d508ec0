#!/usr/bin/env python3
"""Writes Fixtures/QRCode/*.txt: module matrices made by the reference encoder `qrcode`
(PyPI, https://pypi.org/project/qrcode/, pure Python) for the inputs QRCodeTests encodes,
byte mode, each correction level and mask our encoder offers. One file per input, level and
mask: a first line "version V", then one line per row ("#" dark, "." light), no quiet zone.

    python3 -m venv /tmp/qr && /tmp/qr/bin/pip install qrcode==8.2
    /tmp/qr/bin/python Tests/SupportTests/Fixtures/write-qr-references.py
"""
import pathlib

import qrcode
from qrcode.util import MODE_8BIT_BYTE, QRData

# Kept in step with QRCodeTests.inputs (the test fails when a file is missing).
INPUTS = {
    "short": "https://microsoft.com/devicelogin",
    "complete": "https://login.example.com/activate?user_code=WDJB-MJHT",
    "v7": "https://idp.example.com/realms/corp/device?user_code=ABCD-EFGH&client_id=" + "x" * 70,
    "v10": "https://idp.example.com/device?code=" + "0123456789abcdef" * 13,
    "utf8": "https://例え.jp/デバイス?código=ÆØÅ",
}
LEVELS = {"L": qrcode.constants.ERROR_CORRECT_L, "M": qrcode.constants.ERROR_CORRECT_M}

out = pathlib.Path(__file__).parent / "QRCode"
out.mkdir(exist_ok=True)
for name, text in INPUTS.items():
    for level, constant in LEVELS.items():
        for mask in range(8):
            code = qrcode.QRCode(version=None, error_correction=constant, border=0, mask_pattern=mask)
            code.add_data(QRData(text.encode("utf-8"), mode=MODE_8BIT_BYTE))
            code.make(fit=True)
            rows = ["".join("#" if m else "." for m in row) for row in code.modules]
            (out / f"{name}-{level}-{mask}.txt").write_text(f"version {code.version}\n" + "\n".join(rows) + "\n")
