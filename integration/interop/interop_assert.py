#!/usr/bin/env python3
"""Assertions on one mcptop run, used by run.sh (no jq needed).

Reads the run's stdout from $OUT_FILE and stderr from $ERR_FILE. Exits 0 when the
assertion holds; otherwise prints why (one line) and exits 1.

  tools NAME TRANSPORT VERSIONS    stdout is `tools NAME --json` output: server == NAME,
                                   transport == TRANSPORT, protocolVersion in VERSIONS
                                   (comma-separated), tool names == echo/add/slow/fail/touch/greet,
                                   each with a description and an object inputSchema
  text WANT [WANT...]              stdout is a CallToolResult with a text content equal to
                                   one of WANT, and isError absent or false
  plain WANT                       stdout (text mode) has a line equal to WANT
  error                            stdout is a CallToolResult with isError true
  progress                         stderr has at least one line containing "progress"
"""

from __future__ import annotations

import json
import os
import sys

EXPECTED_TOOLS = {"echo", "add", "slow", "fail", "touch", "greet"}


class Fail(Exception):
    pass


def _read(env: str) -> str:
    path = os.environ.get(env)
    if not path:
        raise Fail(f"{env} not set")
    with open(path, encoding="utf-8", errors="replace") as f:
        return f.read()


def _json_stdout() -> dict:
    raw = _read("OUT_FILE").strip()
    if not raw:
        raise Fail("stdout is empty, expected one JSON object")
    try:
        obj = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise Fail(f"stdout is not one JSON object: {exc}") from None
    if not isinstance(obj, dict):
        raise Fail(f"stdout JSON is a {type(obj).__name__}, expected an object")
    return obj


def _texts(result: dict) -> list[str]:
    content = result.get("content")
    if not isinstance(content, list):
        raise Fail("result has no content array")
    return [c.get("text") for c in content if isinstance(c, dict) and c.get("type") == "text"]


def check_tools(name: str, transport: str, versions: str) -> None:
    obj = _json_stdout()
    if obj.get("server") != name:
        raise Fail(f"server is {obj.get('server')!r}, expected {name!r}")
    if obj.get("transport") != transport:
        raise Fail(f"transport is {obj.get('transport')!r}, expected {transport!r}")
    allowed = versions.split(",")
    if obj.get("protocolVersion") not in allowed:
        raise Fail(f"protocolVersion is {obj.get('protocolVersion')!r}, expected one of {allowed}")
    tools = obj.get("tools")
    if not isinstance(tools, list):
        raise Fail("no tools array")
    names = [t.get("name") for t in tools if isinstance(t, dict)]
    if set(names) != EXPECTED_TOOLS or len(names) != len(EXPECTED_TOOLS):
        raise Fail(f"tool names are {sorted(map(str, names))}, expected {sorted(EXPECTED_TOOLS)}")
    for t in tools:
        if not isinstance(t.get("description"), str) or not t["description"]:
            raise Fail(f"tool {t['name']!r} has no description")
        schema = t.get("inputSchema")
        if not isinstance(schema, dict) or schema.get("type") != "object":
            raise Fail(f"tool {t['name']!r} inputSchema is not an object schema: {schema!r}")
    echo = next(t for t in tools if t["name"] == "echo")
    props = echo["inputSchema"].get("properties") or {}
    if "text" not in props or "text" not in (echo["inputSchema"].get("required") or []):
        raise Fail(f"echo inputSchema lacks required property 'text': {echo['inputSchema']!r}")


def check_text(*wants: str) -> None:
    obj = _json_stdout()
    if obj.get("isError"):
        raise Fail("isError is true")
    texts = _texts(obj)
    if not any(t in wants for t in texts):
        raise Fail(f"text contents {texts!r}, expected one of {list(wants)!r}")


def check_plain(want: str) -> None:
    lines = [line.rstrip("\r") for line in _read("OUT_FILE").split("\n")]
    if want not in lines:
        raise Fail(f"no stdout line equal to {want!r}")


def check_error() -> None:
    obj = _json_stdout()
    if obj.get("isError") is not True:
        raise Fail(f"isError is {obj.get('isError')!r}, expected true")
    if not _texts(obj):
        raise Fail("error result has no text content")


def check_progress() -> None:
    lines = [line for line in _read("ERR_FILE").splitlines() if "progress" in line]
    if not lines:
        raise Fail("no stderr line contains 'progress'")


COMMANDS = {
    "tools": check_tools,
    "text": check_text,
    "plain": check_plain,
    "error": check_error,
    "progress": check_progress,
}


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in COMMANDS:
        print(f"usage: interop_assert.py {{{'|'.join(COMMANDS)}}} ARGS...", file=sys.stderr)
        return 2
    try:
        COMMANDS[argv[0]](*argv[1:])
    except Fail as exc:
        print(exc)
        return 1
    except TypeError as exc:  # wrong argument count: a bug in run.sh
        print(f"bad assertion call {argv!r}: {exc}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
