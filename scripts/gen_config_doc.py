#!/usr/bin/env python3
"""The documents made from src/base/config.def (the one settings table).

  scripts/gen_config_doc.py                 rewrite docs/configuration.md's table
  scripts/gen_config_doc.py --man VERSION   print the man page userd(8) (make install)
  scripts/gen_config_doc.py --example       print an example config file, every setting commented
"""
import os
import re
import sys

top = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")


def settings():
    """(section, key, type, default, min, max, help) for every setting, in the table's order."""
    out = []
    for line in open(os.path.join(top, "src/base/config.def"), encoding="utf-8"):
        m = re.match(r'S\((\w+), (\w+), (\w+), "([^"]*)", (-?\d+), (-?\d+), "([^"]*)"\)', line)
        if m:
            out.append(m.groups())
    return out


def bounds(typ, lo, hi):
    return {"STR": f"{lo}-{hi} chars", "INT": f"{lo}-{hi}"}.get(typ, "true/false")


def markdown():
    rows = [f"| `{sec}.{key}` | `USERD_{sec.upper()}_{key.upper()}` | `{default}` | {bounds(typ, lo, hi)} | {text} |"
            for sec, key, typ, default, lo, hi, text in settings()]
    path = os.path.join(top, "docs/configuration.md")
    head = open(path, encoding="utf-8").read().split("| setting /")[0]
    with open(path, "w", encoding="utf-8") as f:
        f.write(head)
        f.write("| setting / flag `--section.key` | environment | default | bounds | meaning |\n")
        f.write("| --- | --- | --- | --- | --- |\n")
        f.write("\n".join(rows) + "\n")


def by_section():
    sections = {}
    for s in settings():
        sections.setdefault(s[0], []).append(s)
    return sections


def example():
    print("# userd configuration: every setting, commented out at its default (userd(8),")
    print("# docs/configuration.md). Uncomment and change what you need. Precedence, lowest")
    print("# first: default, this file, environment (USERD_SECTION_KEY), flags (--section.key=).")
    print("# Secrets (a PostgreSQL password, qiniu.secret_key) are better kept in the")
    print("# environment file the service unit reads (/etc/userd/userd.env, mode 0600).")
    for sec, rows in by_section().items():
        print(f"\n[{sec}]")
        for _, key, typ, default, lo, hi, text in rows:
            print(f"# {text} ({bounds(typ, lo, hi)}; USERD_{sec.upper()}_{key.upper()})")
            print(f"# {key} = {default}")


def roff(s):
    """Text for a roff line: backslashes and leading dots or quotes escaped, dashes as hyphens."""
    s = s.replace("\\", "\\e").replace("-", "\\-")
    return "\\&" + s if s[:1] in (".", "'") else s


def man(version):
    p = print
    p(f'.TH USERD 8 "" "userd {roff(version)}" "System Administration"')
    p(".SH NAME")
    p("userd \\- one account store behind the IM, live and app user APIs")
    p(".SH SYNOPSIS")
    for cmd in ["serve [\\-\\-config FILE] [\\-\\-section.key=value ...]", "app create NAME [\\-\\-json]", "app list",
                "app token APP_ID [\\-\\-ttl SECONDS]", "app token APP_ID \\-\\-revoke TOKEN_PREFIX",
                "app tokens APP_ID", "operator add|reset|remove NAME", "operator list", "backup FILE", "\\-\\-help"]:
        p(f".B userd\n{cmd}\n.br")
    p(".SH DESCRIPTION")
    p("userd keeps user accounts in one store (SQLite or PostgreSQL) and serves them through three")
    p("HTTP faces, each on its own listener: IM, live and app. An ops listener serves /healthz,")
    p("/readyz, /metrics (Prometheus) and the faces' OpenAPI documents; keep it on a private address.")
    p(".SH COMMANDS")
    for name, text in [
        ("serve", "Serve the faces and the ops listener until SIGTERM or SIGINT, then finish the requests in "
                  "flight and stop. Under systemd (Type=notify) it tells the manager when it is ready."),
        ("app create NAME [\\-\\-json]", "Create an app and print its credentials."),
        ("app list", "List the apps."),
        ("app token APP_ID", "Print a new admin token for the app (\\-\\-ttl SECONDS), or revoke one (\\-\\-revoke)."),
        ("app tokens APP_ID", "List the app's admin tokens."),
        ("operator add NAME", "Add an operator of the admin console (on the ops listener, /console/) and print "
                              "its generated password, once."),
        ("operator reset NAME", "Give the operator a new generated password (printed once); its console sessions end."),
        ("operator remove NAME", "Remove the operator; its console sessions end. The audit log keeps its name."),
        ("operator list", "List the operators."),
        ("backup FILE", "Copy a SQLite store, consistent as of one moment and while it serves, to FILE "
                        "(written beside it and renamed). A PostgreSQL store is backed up with pg_dump."),
    ]:
        p(f".TP\n.B {name}\n{text}")
    p(".SH SETTINGS")
    p("Every setting has a default, a key in the config file (section and key, INI), an environment")
    p("variable and a flag. Precedence, lowest first: default, config file, environment, flags.")
    p("A value out of bounds or an unknown setting stops the start (exit code 2).")
    for sec, rows in by_section().items():
        p(f".SS [{sec}]")
        for _, key, typ, default, lo, hi, text in rows:
            p(f".TP\n\\fB\\-\\-{sec}.{key}\\fR, \\fBUSERD_{sec.upper()}_{key.upper()}\\fR")
            p(f"{roff(text)}.")
            p(f"Default: \\(lq{roff(default)}\\(rq; {roff(bounds(typ, lo, hi))}.")
    p(".SH FILES")
    p(".TP\n.I /etc/userd/userd.conf\nThe config file of the service unit (every setting commented).")
    p(".TP\n.I /etc/userd/userd.env\nOptional environment file of the unit, for secrets (mode 0600).")
    p(".TP\n.I /var/lib/userd\nThe service's state: the SQLite store and default\\-app.json.")
    p(".SH EXIT STATUS")
    p("0 on success, 1 on a failure, 2 on a usage error or a bad setting.")
    p(".SH SEE ALSO")
    p(".BR systemd.service (5),")
    p(".BR pg_dump (1),")
    p(".BR prometheus (1).")
    p("docs/operations.md and docs/configuration.md in the source.")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--man"]:
        man(sys.argv[2] if len(sys.argv) > 2 else "unknown")
    elif sys.argv[1:] == ["--example"]:
        example()
    elif not sys.argv[1:]:
        markdown()
    else:
        sys.exit(__doc__)
