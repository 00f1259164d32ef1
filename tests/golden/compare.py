"""compare.py GOLDEN NEW: every column of GOLDEN is in NEW with the same text in every row (extra columns are
allowed: a reshaping may add columns, never rename or change them). Exits 1 naming the first difference."""
import csv, sys

def read(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]

gh, gr = read(sys.argv[1])
nh, nr = read(sys.argv[2])
if len(gr) != len(nr):
    sys.exit(f"{sys.argv[2]}: {len(nr)} rows, golden has {len(gr)}")
for c, name in enumerate(gh):
    if name not in nh:
        sys.exit(f"{sys.argv[2]}: column {name} is missing")
    k = nh.index(name)
    for r, (g, n) in enumerate(zip(gr, nr)):
        if g[c] != n[k]:
            sys.exit(f"{sys.argv[2]}: column {name}, row {r + 1}: {n[k]} != golden {g[c]}")
