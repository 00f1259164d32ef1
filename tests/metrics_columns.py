"""metrics_columns.py: every metrics.csv column of every preset, gathered through the API (groklab.columns),
checked against docs/metrics.md (issue 16). The columns depend on an experiment's choice and on/off keys (data=l2sep,
references=0, opt=flow, model=transformer1, ...), its depth and seeds, not on sizes: so the first (small) preset
of each experiment is built with every other value of each such key, and with the such keys of every later
preset of the experiment. Building computes the
references but trains nothing.
Usage: python3 tests/metrics_columns.py [--list]   (exit 1 if a column has no description or a described
column is produced by no preset)."""
import os
import re
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
                seen.setdefault(c, set()).add(name + "".join(" %s=%s" % kv for kv in keys.items()))
    return seen


def documented():
    cols = set()
    with open(DOC) as f:
        for line in f:
            m = re.match(r"\|\s*((?:`[^`]+`(?:,\s*)?)+)\s*\|", line)
            if m:
                cols.update(re.findall(r"`([^`]+)`", m.group(1)))
    return cols


def main():
    seen = gather()
    if "--list" in sys.argv:
        for c in seen:
            print(c, "|", sorted(seen[c])[0])
        return 0
    doc = documented()
    missing = sorted(set(seen) - doc)
    stale = sorted(doc - set(seen))
    for c in missing:
        print("FAIL column %s (e.g. %s) has no description in docs/metrics.md" % (c, sorted(seen[c])[0]))
    for c in stale:
        print("FAIL docs/metrics.md describes %s, which no preset produces" % c)
    print("%d columns over %d presets; %d undocumented, %d stale" % (len(seen), len(groklab.presets()), len(missing), len(stale)))
    return 1 if missing or stale else 0


if __name__ == "__main__":
    sys.exit(main())
