"""compare_in_t.py FIXED_RUN AUTO_RUN: a fixed-lr run beside an lr_auto run of the same preset, on the time axis
(issue 19). Prints the steps each took, the time t where the test accuracy first passes 0.95 in each, and the
largest differences of train/test accuracy and the relative difference of the train loss at the times both
have (lr_auto lands its evals on the fixed-lr run's times). Exit 1 if the acceptance of issue 19 fails:
at least 5x fewer steps, grok time within 5%, accuracies within 0.03 (pass --tol-acc, --tol-loss to change)."""
import argparse, csv, json, sys


def read(d):
    with open(f"{d}/metrics.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    return {float(r["time"]): r for r in rows}, json.load(open(f"{d}/summary.json"))


def grok_time(rows, thr=0.95):
    return next((t for t in sorted(rows) if float(rows[t]["test_acc"]) >= thr), None)


ap = argparse.ArgumentParser()
ap.add_argument("fixed"), ap.add_argument("auto")
ap.add_argument("--tol-acc", type=float, default=0.03), ap.add_argument("--tol-loss", type=float, default=None)
ap.add_argument("--min-ratio", type=float, default=5), ap.add_argument("--tol-grok", type=float, default=0.05)
a = ap.parse_args()
fx, fs = read(a.fixed)
au, as_ = read(a.auto)
common = sorted(set(fx) & set(au))
d_tr = max(abs(float(fx[t]["train_acc"]) - float(au[t]["train_acc"])) for t in common)
d_te = max(abs(float(fx[t]["test_acc"]) - float(au[t]["test_acc"])) for t in common)
d_loss = max(abs(float(fx[t]["train_loss"]) / float(au[t]["train_loss"]) - 1) for t in common)
steps_fixed, steps_auto = fs["steps_done"], as_["lr_auto"]["steps"]
g_fx, g_au = grok_time(fx), grok_time(au)
print(f"times in common: {len(common)} (t up to {common[-1]:g})")
print(f"steps: fixed lr {steps_fixed:.0f}, lr_auto {steps_auto:.0f} ({steps_fixed / steps_auto:.2f}x fewer); "
      f"sharpness measures {as_['lr_auto']['sharpness_measures']:.0f}, halvings {as_['lr_auto'].get('halvings', 0):.0f}, "
      f"lr {as_['lr_auto']['lr_min']:.3g} .. {as_['lr_auto']['lr_max']:.3g}")
print(f"train seconds: fixed lr {fs['train_seconds']:.1f}, lr_auto {as_['train_seconds']:.1f}")
print(f"grok time (test acc >= 0.95): fixed lr t = {g_fx}, lr_auto t = {g_au}"
      + (f" ({(g_au / g_fx - 1) * 100:+.2f}%)" if g_fx and g_au else ""))
print(f"largest difference at a common t: train acc {d_tr:.4f}, test acc {d_te:.4f}, train loss {d_loss * 100:.2f}% (relative)")
ok = steps_fixed / steps_auto >= a.min_ratio and d_tr <= a.tol_acc and d_te <= a.tol_acc
ok = ok and (g_fx is None) == (g_au is None) and (g_fx is None or abs(g_au / g_fx - 1) <= a.tol_grok)
if a.tol_loss is not None:
    ok = ok and d_loss <= a.tol_loss
print("acceptance:", "met" if ok else "NOT met")
sys.exit(0 if ok else 1)
