#!/usr/bin/env python3
"""Questions the fleet test asks Prometheus and Alertmanager over their HTTP APIs.

    api.py firing  PROM_URL AM_URL ALERT [label=value ...]   both have it firing (exit 0) or not (1)
    api.py cleared PROM_URL AM_URL ALERT [label=value ...]   neither has it (exit 0) or one has (1)
                                                             (ALERT "-": any alert)
    api.py value   PROM_URL EXPR                             prints each sample: labels value
    api.py queries PROM_URL DASHBOARD_JSON                   every dashboard query evaluates (exit 0)

Prints what it found on stdout (alert labels, never annotations' secrets: there are none)."""

import json
import sys
import urllib.error
import urllib.parse
import urllib.request


def get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.load(response)


def query(prom: str, expr: str) -> dict:
    try:
        return get(f"{prom}/api/v1/query?" + urllib.parse.urlencode({"query": expr}))
    except urllib.error.HTTPError as error:  # a bad query: Prometheus says why in JSON
        return json.load(error)


def wanted(arguments: list[str]) -> tuple[str, dict]:
    name, *pairs = arguments
    labels = dict(pair.split("=", 1) for pair in pairs)
    if name != "-":  # "-": any alert
        labels["alertname"] = name
    return name, labels


def matches(labels: dict, wanted_labels: dict) -> bool:
    return all(labels.get(key) == value for key, value in wanted_labels.items())


def prometheus_alerts(prom: str, wanted_labels: dict) -> list[dict]:
    alerts = get(f"{prom}/api/v1/alerts")["data"]["alerts"]
    return [a for a in alerts if a["state"] == "firing" and matches(a["labels"], wanted_labels)]


def alertmanager_alerts(am: str, wanted_labels: dict) -> list[dict]:
    alerts = get(f"{am}/api/v2/alerts?active=true&silenced=true&inhibited=true&unprocessed=true")
    return [a for a in alerts if matches(a["labels"], wanted_labels)]


def main(argv: list[str]) -> int:
    command, *rest = argv
    if command in ("firing", "cleared"):
        prom, am, *arguments = rest
        _, labels = wanted(arguments)
        in_prometheus = prometheus_alerts(prom, labels)
        in_alertmanager = alertmanager_alerts(am, labels)
        for alert in in_prometheus:
            print("prometheus:", json.dumps(alert["labels"], sort_keys=True))
        for alert in in_alertmanager:
            print("alertmanager:", json.dumps(alert["labels"], sort_keys=True))
        if command == "firing":
            return 0 if in_prometheus and in_alertmanager else 1
        return 0 if not in_prometheus and not in_alertmanager else 1
    if command == "value":
        prom, expr = rest
        for sample in query(prom, expr)["data"]["result"]:
            print(json.dumps(sample["metric"], sort_keys=True), sample["value"][1])
        return 0
    if command == "queries":
        prom, path = rest
        with open(path) as file:
            dashboard = json.load(file)
        expressions = []

        def walk(panels):
            for panel in panels:
                expressions.extend(t["expr"] for t in panel.get("targets", []) if "expr" in t)
                walk(panel.get("panels", []))
        walk(dashboard["panels"])
        failed = 0
        for expr in expressions:
            concrete = (expr.replace("$__rate_interval", "10s")
                        .replace("$instance", ".*").replace("$server", ".*"))
            answer = query(prom, concrete)
            if answer.get("status") != "success":
                print(f"query failed: {expr}: {answer.get('error')}")
                failed += 1
        print(f"{len(expressions) - failed} of {len(expressions)} dashboard queries evaluate")
        return 1 if failed else 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except (OSError, ValueError, KeyError) as error:
        print(f"api.py: {error}", file=sys.stderr)
        sys.exit(1)
