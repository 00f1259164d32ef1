"""mc_torch.py: the mc-multiply GD step (Lyu et al. 2024, Fig. 3) in PyTorch float64, written the plain way:
W = U U^T - V V^T in full, gather the observed entries, MSE (mean), SGD with coupled weight decay.
Prints "wall_us cpu_us" per step. Used by bench/bench_mc.sh.
usage: python3 mc_torch.py D OBS_FRAC STEPS THREADS"""
import sys
import time

import torch

d, frac, steps, threads = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
torch.set_num_threads(threads)
torch.set_default_dtype(torch.float64)
g = torch.Generator().manual_seed(1)
idx = torch.arange(d, dtype=torch.float64)
X = torch.outer(idx, idx) / d**2  # the multiplication table i*j/d^2
nobs = round(frac * d * d)
obs = torch.randperm(d * d, generator=g)[:nobs]
oi, oj = obs // d, obs % d
y = X[oi, oj]
alpha, lr, wd = 10.0, 0.1, 1e-4
U = (alpha * torch.eye(d)).requires_grad_()
V = (alpha * torch.eye(d)).requires_grad_()
opt = torch.optim.SGD([U, V], lr=lr, weight_decay=wd)


def step():
    opt.zero_grad()
    W = U @ U.T - V @ V.T
    loss = ((W[oi, oj] - y) ** 2).mean()
    loss.backward()
    opt.step()


for _ in range(min(20, steps)):
    step()
t0, c0 = time.perf_counter(), time.process_time()
for _ in range(steps):
    step()
print(f"{1e6 * (time.perf_counter() - t0) / steps:.1f} {1e6 * (time.process_time() - c0) / steps:.1f}")
