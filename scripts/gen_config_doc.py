#!/usr/bin/env python3
"""Writes docs/configuration.md from src/base/config.def (the one settings table)."""
import os
import re

top = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
rows = []
for line in open(os.path.join(top, "src/base/config.def"), encoding="utf-8"):
    m = re.match(r'S\((\w+), (\w+), (\w+), "([^"]*)", (-?\d+), (-?\d+), "([^"]*)"\)', line)
    if not m:
        continue
    sec, key, typ, default, lo, hi, text = m.groups()
    bounds = {"STR": f"{lo}-{hi} chars", "INT": f"{lo}-{hi}"}.get(typ, "true/false")
    rows.append(f"| `{sec}.{key}` | `USERD_{sec.upper()}_{key.upper()}` | `{default}` | {bounds} | {text} |")

head = open(os.path.join(top, "docs/configuration.md"), encoding="utf-8").read().split("| setting /")[0]
with open(os.path.join(top, "docs/configuration.md"), "w", encoding="utf-8") as f:
    f.write(head)
    f.write("| setting / flag `--section.key` | environment | default | bounds | meaning |\n")
    f.write("| --- | --- | --- | --- | --- |\n")
    f.write("\n".join(rows) + "\n")
