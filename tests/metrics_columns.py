"""metrics_columns.py: docs/metrics.md is the text `groklab --help-metrics` writes from the declared columns
(src/io/columns.h), and every metrics.csv column of every preset, gathered through the API (groklab.columns), is
declared in its own experiment's section (or the run's), each declared column is produced by some config, and a
name declared by two experiments has one unit and one role. The columns depend on an experiment's choice and on/off keys (data=l2sep,
references=0, opt=flow, model=transformer1, ...), its depth and seeds, not on sizes: so the first (small) preset
of each experiment is built with every other value of each such key, and with the such keys of every later
preset of the experiment. Building computes the
references but trains nothing.
Usage: python3 tests/metrics_columns.py [--list] [path/to/groklab]   (exit 1 on any of these failing)."""
import os
import re
import subprocess
import sys

import groklab

DOC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "docs", "metrics.md")


def variants(preset):
    yield {}
    for p in groklab.params(preset):
        if p["kind"] == "bool":
            yield {p["key"]: "0" if p["default"] in ("1", "true") else "1"}
        elif p["key"] == "sharpness_every":  # an on/off count: on adds the sharpness column
            yield {p["key"]: "1"}
        elif p["kind"] == "enum":
            for v in p["range"].replace("one of ", "").split("|"):
                if v != p["default"]:
                    yield {p["key"]: v}


def signature(info):
    """What decides the columns: the experiment, its choice and on/off keys, the depth and the seeds."""
    keys = [(p["key"], p["default"]) for p in groklab.params(info["name"])
            if p["kind"] in ("enum", "bool") or p["key"] in ("depth", "seeds")]
    # the columns differ between one seed and several, not with how many: build with 2 (xor-paper-100 has 100)
    keys = [(k, "2" if k == "seeds" and int(v) > 1 else v) for k, v in keys]
    return (info["experiment"], tuple(keys))


def gather():
    """Builds the first preset of each experiment with each other value of its choice keys, and with the choice
    keys of every later preset of that experiment (cheap: the first preset is the small one)."""
    seen, first, built = {}, {}, set()
    for info in groklab.presets():
        exp, sig = info["experiment"], signature(info)
        if sig in built:
            continue
        built.add(sig)
        if exp not in first:
            first[exp] = (info["name"], dict(sig[1]))
            runs = list(variants(info["name"]))
        else:
            base = first[exp][1]
            runs = [{k: v for k, v in sig[1] if base.get(k) != v}]
        for keys in runs:
            name = first[exp][0]
            try:
                cols = groklab.columns(name, **keys)
            except (groklab.Error, RuntimeError) as e:  # a combination the experiment refuses, or data absent
                print("  (skipped %s %s: %s)" % (name, keys, e), file=sys.stderr)
                continue
            for c in cols:
                seen.setdefault((exp, c), set()).add(name + "".join(" %s=%s" % kv for kv in keys.items()))
    return seen


RUN = "(every run)"


def documented():
    """{section: {column: (unit, role)}}; section is the experiment's name, or RUN for the run's own columns."""
    docs, section = {}, None
    with open(DOC) as f:
        for line in f:
            h = re.match(r"## (?:`([^`]+)`|Every run)", line)
            if h:
                section = h.group(1) or RUN
                docs[section] = {}
            if section and line.startswith("Its columns are added by name only"):  # an undeclared experiment
                docs[section] = None
            m = re.match(r"\|\s*`([^`]+)`\s*\|([^|]*)\|([^|]*)\|", line)
            if m and section and docs[section] is not None:
                docs[section][m.group(1)] = (m.group(2).strip(), m.group(3).strip())
    return docs


def declared_in(cols, c):
    """The declaration of column c among cols (a family `name*` declares every name it starts)."""
    if c in cols:
        return c
    return next((d for d in cols if d.endswith("*") and c.startswith(d[:-1])), None)


def check_generated(gk):
    out = subprocess.run([gk, "--help-metrics"], capture_output=True, text=True, check=True).stdout
    with open(DOC) as f:
        if f.read() == out:
            return 0
    print("FAIL docs/metrics.md is not what `groklab --help-metrics` writes from the declarations: run\n"
          "     groklab --help-metrics > docs/metrics.md")
    return 1


def one_meaning(docs):
    """A name two experiments declare has one unit and one role (else one name would mean two things)."""
    fails, first = 0, {}
    for sec, cols in docs.items():
        for c, ur in (cols or {}).items():
            if c in first and first[c][1] != ur:
                print("FAIL %s is declared as %s by %s but as %s by %s" % (c, ur, sec, first[c][1], first[c][0]))
                fails += 1
            first.setdefault(c, (sec, ur))
    return fails


def main():
    seen = gather()
    if "--list" in sys.argv:
        for (exp, c) in sorted(seen):
            print(exp, c, "|", sorted(seen[(exp, c)])[0])
        return 0
    docs = documented()
    fails = one_meaning(docs)
    gk = next((a for a in sys.argv[1:] if not a.startswith("--")), None)
    if gk:
        fails += check_generated(gk)
    used = set()
    for (exp, c), where in sorted(seen.items()):
        if exp in docs and docs[exp] is None:
            continue  # columns by name only: nothing declared to check them against
        d = declared_in(docs.get(exp, {}), c)
        if d:
            used.add((exp, d))
        elif c in docs.get(RUN, {}):
            used.add((RUN, c))
        else:
            print("FAIL column %s of %s (e.g. %s) is not declared in its section of docs/metrics.md" % (c, exp, sorted(where)[0]))
            fails += 1
    for sec, cols in docs.items():
        for c in cols or {}:
            if (sec, c) not in used:
                print("FAIL docs/metrics.md declares %s for %s, which no config of it produces" % (c, sec))
                fails += 1
    print("%d columns over %d presets; %d failures" % (len(seen), len(groklab.presets()), fails))
    return 1 if fails else 0

if __name__ == "__main__":
    sys.exit(main())
