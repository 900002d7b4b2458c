#!/usr/bin/env python3
"""Renders a chart with the real Helm engine (the helm-python-sdk package from PyPI,
which embeds Helm's Go library) and prints each template's output as JSON.

usage: helm_oracle.py CHART_DIR RELEASE NAMESPACE [VALUES_FILE ...]
Prints {"files": {path: text}} or {"error": message}. Exits 3 when the package is absent.
"""
import json
import sys

try:
    import helm_python as helm
except ImportError:
    sys.exit(3)


def merge(base, overlay):
    for key, value in overlay.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            merge(base[key], value)
        else:
            base[key] = value
    return base


def main():
    chart_dir, release, namespace, *value_files = sys.argv[1:]
    values = {}
    for path in value_files:
        with open(path, encoding="utf-8") as f:
            merge(values, helm.values_from_yaml(f.read()) or {})
    try:
        chart = helm.Chart.load(chart_dir)
        files = chart.render(values, name=release, namespace=namespace, is_install=True)
        print(json.dumps({"files": files}, sort_keys=True, indent=1))
    except helm.HelmError as e:
        print(json.dumps({"error": str(e)}))


main()
