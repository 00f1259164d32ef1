"""seeds_check.py DIR K [--partial]: checks a multi-seed run directory against its runs, recomputing from their files.
Run layer form (DIR/seed_<s>/): every column c of DIR/metrics.csv is the mean, and c_std, c_min, c_max the sample
std, min and max, of the runs' c at that eval point (finite values, seed order); the rows are at the union of
the runs' steps, each reduced over the runs that have that step (seeds_n of them; K unless --partial: runs stopped
early or resumed further); summary.json lists every run (per_seed) and each phenomenon with one step per run and the median of
the steps that exist. xor's lockstep form (DIR/seeds.csv): the mean columns of metrics.csv against seeds.csv, and
summary.json's per_seed and across_seeds. Prints one line per failure; exit 1 if any."""
import csv
import json
import math
import os
import sys


def table(path):
    with open(path, newline="") as f:
        rows = [r for r in csv.reader(f) if r]
    head = rows[0]
    return {h: [float(r[i]) if r[i] not in ("", "nan") else math.nan for r in rows[1:]] for i, h in enumerate(head)}, head


def spread(vals):
    v = [x for x in vals if math.isfinite(x)]
    if not v:
        return [math.nan] * 4
    s = 0.0
    for x in v:
        s += x
    mean = s / len(v)
    ss = 0.0
    for x in v:
        ss += (x - mean) * (x - mean)
    return [mean, math.sqrt(ss / (len(v) - 1)) if len(v) > 1 else 0.0, min(v), max(v)]


def close(a, b):
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return abs(a - b) <= 1e-12 * max(1.0, abs(a), abs(b))


def median(v):
    v = sorted(x for x in v if x is not None)
    if not v:
        return None
    n = len(v)
    return v[n // 2] if n % 2 else 0.5 * (v[n // 2 - 1] + v[n // 2])


def check_split(d, K, full, errors):
    agg, head = table(os.path.join(d, "metrics.csv"))
    summary = json.load(open(os.path.join(d, "summary.json")))
    seed0 = int(json.load(open(os.path.join(d, "config.json")))["params"]["seed"])
    runs = [table(os.path.join(d, "seed_%d" % (seed0 + k), "metrics.csv"))[0] for k in range(K)]
    cols = [c for c in runs[0] if c not in ("step", "time")]
    want = ["step", "time", "seeds_n"] + [c + s for c in cols for s in ("", "_std", "_min", "_max")]
    if head != want:
        errors.append("columns: %s, expected %s" % (head[:8], want[:8]))
        return
    union = sorted(set(st for run in runs for st in run["step"]))
    if agg["step"] != union:
        errors.append("steps %s, the union of the runs' %s" % (agg["step"][:12], union[:12]))
        return
    for r, step in enumerate(agg["step"]):
        have = [(run, run["step"].index(step)) for run in runs if step in run["step"]]
        if agg["seeds_n"][r] != len(have) or (full and len(have) != K):
            errors.append("step %g: seeds_n %g, %d runs have it" % (step, agg["seeds_n"][r], len(have)))
        for c in cols:
            got = [agg[c + s][r] for s in ("", "_std", "_min", "_max")]
            exp = spread([run[c][i] for run, i in have])
            if not all(close(g, e) for g, e in zip(got, exp)):
                errors.append("row %d column %s: %s, recomputed %s" % (r, c, got, exp))
    if len(summary.get("per_seed", [])) != K or (full and any(p["status"] != "completed" for p in summary["per_seed"])):
        errors.append("summary.json per_seed: %s" % summary.get("per_seed"))
    phen = summary.get("phenomena", [])
    if not phen:
        errors.append("summary.json has no phenomena")
    for p in phen:
        steps = p.get("steps", p.get("ratios"))
        own = [json.load(open(os.path.join(d, "seed_%d" % (seed0 + k), "summary.json"))) for k in range(K)]
        # a phenomenon's step is its own "step", or the run's summary number its "step_key" names
        ref = [next((o.get(q["step_key"]) if "step_key" in q else q.get("step", q.get("ratio"))
                     for q in o["phenomena"] if q["what"] == p["what"]), None) for o in own]
        if steps != ref:
            errors.append("phenomenon %s: steps %s, the runs' %s" % (p["what"], steps, ref))
        # the median over the runs, under one name: the summary number step_key names, or the phenomenon's own step
        got = summary.get(p["step_key"]) if "step_key" in p else p.get("step", p.get("ratio"))
        if "median" in p or got != median(ref):
            errors.append("phenomenon %s: median %s (and %s), recomputed %s" % (p["what"], got, p.get("median"), median(ref)))


def check_lockstep(d, K, errors):
    agg, _ = table(os.path.join(d, "metrics.csv"))
    per, head = table(os.path.join(d, "seeds.csv"))
    summary = json.load(open(os.path.join(d, "summary.json")))
    for r, step in enumerate(agg["step"]):
        rows = [i for i, s in enumerate(per["step"]) if s == step]
        if len(rows) != K:
            errors.append("step %g: %d rows in seeds.csv" % (step, len(rows)))
        for c in ("train_acc", "test_acc"):
            exp = spread([per[c][i] for i in rows])
            got = [agg[c][r]] + [agg[c + s][r] for s in ("_std", "_min", "_max")]
            if not all(close(g, e) for g, e in zip(got, exp)):
                errors.append("step %g column %s: %s, recomputed %s" % (step, c, got, exp))
    if len(summary.get("per_seed", [])) != K or "test_grok_step" not in summary.get("across_seeds", {}):
        errors.append("summary.json: per_seed or across_seeds.test_grok_step missing")


def main():
    d, K = sys.argv[1], int(sys.argv[2])
    errors = []
    if os.path.exists(os.path.join(d, "seeds.csv")):
        check_lockstep(d, K, errors)
    else:
        check_split(d, K, "--partial" not in sys.argv, errors)
    for e in errors[:10]:
        print("    " + e)
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
