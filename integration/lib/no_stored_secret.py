#!/usr/bin/env python3
"""Fails when a secret mcptop stored appears in what it showed or sent.

    no_stored_secret.py STATE_FOLDER... -- FILE...

Reads every credential and registration JSON below the STATE_FOLDERs (accessToken,
refreshToken, clientSecret) and looks for each, as bytes, in every FILE. Prints counts only
(never a secret); exits 1 on a leak, and when no secret or no output was found to check."""

import json
import pathlib
import sys


def main(arguments: list[str]) -> int:
    split = arguments.index("--")
    folders, files = arguments[:split], [pathlib.Path(f) for f in arguments[split + 1:]]
    secrets = set()
    for folder in folders:
        for path in pathlib.Path(folder).glob("**/*.json"):
            try:
                record = json.loads(path.read_text())
            except ValueError:
                continue
            for key in ("accessToken", "refreshToken", "clientSecret"):
                if isinstance(record, dict) and isinstance(record.get(key), str):
                    secrets.add(record[key].encode())
    outputs = [f.read_bytes() for f in files if f.exists()]
    leaks = sum(1 for secret in secrets for output in outputs if secret in output)
    print(f"{len(secrets)} stored secrets, {len(outputs)} outputs ({sum(map(len, outputs))} bytes), {leaks} leaks")
    return 1 if leaks or not secrets or not any(outputs) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
