"""diag_torch.py: the diagonal-net GD step of Lyu et al. (their code's algorithm) in PyTorch float64,
timed at a given size. Prints microseconds per step, wall and CPU (all threads). Used by bench/bench_diag.sh.
usage: python3 diag_torch.py DATA D N STEPS THREADS"""
import math
import sys
import time

import torch
import torch.nn.functional as F

data, d, n, steps, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
torch.set_num_threads(threads)
torch.set_default_dtype(torch.float64)
g = torch.Generator().manual_seed(1)
if data == "sparse":
    X = (torch.randint(0, 2, (n, d), generator=g) * 2 - 1).double()
    y = torch.sign(X[:, :3].sum(1))
else:
    w = torch.randn(d, generator=g)
    w /= w.norm()
    z = torch.randn(n, d, generator=g)
    y = torch.sign(z @ w)
    X = z + y[:, None] * 12.5 * w
alpha, lr, wd = 128.0, 0.01, 1e-2
u = torch.full((d,), alpha / math.sqrt(2 * d), requires_grad=True)
v = torch.full((d,), alpha / math.sqrt(2 * d), requires_grad=True)
opt = torch.optim.SGD([u, v], lr=lr, weight_decay=wd)


def step():
    opt.zero_grad()
    f = X @ (u * u - v * v)
    loss = F.softplus(-y * f).mean()
    loss.backward()
    opt.step()


for _ in range(min(20, steps)):
    step()
t0, c0 = time.perf_counter(), time.process_time()
for _ in range(steps):
    step()
print(f"{1e6 * (time.perf_counter() - t0) / steps:.1f} {1e6 * (time.process_time() - c0) / steps:.1f}")
