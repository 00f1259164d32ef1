"""xor_torch.py: the xor / xor-paper GD step (Xu et al. 2024) in PyTorch float64: f(x) = sum_j a_j ReLU(w_j.x)
with fixed a_j = +-1/sqrt(m), logistic loss (mean over n), plain GD on W. XOR cluster data x = +-mu_k + z,
||mu_k|| = 2.5 sqrt(p/n), 5% label noise, W ~ N(0, omega^2).
Prints "wall_us cpu_us" per step. Used by bench/bench_xor.sh.
usage: python3 xor_torch.py P N M STEPS THREADS"""
import sys
import time

import torch
import torch.nn.functional as F

p, n, m, steps, threads = (int(a) for a in sys.argv[1:6])
torch.set_num_threads(threads)
torch.set_default_dtype(torch.float64)
g = torch.Generator().manual_seed(1)
mu, _ = torch.linalg.qr(torch.randn(p, 2, generator=g))
mu = mu.T * 2.5 * (p / n) ** 0.5  # two orthogonal cluster means
yc = torch.randint(0, 2, (n,), generator=g)  # 0: +-mu1 (label +1), 1: +-mu2 (label -1)
s = torch.randint(0, 2, (n, 1), generator=g) * 2.0 - 1
X = s * mu[yc] + torch.randn(n, p, generator=g)
y = (1.0 - 2 * yc) * torch.where(torch.rand(n, generator=g) < 0.05, -1.0, 1.0)
W = (1e-15 * torch.randn(m, p, generator=g)).requires_grad_()
a = (torch.randint(0, 2, (m,), generator=g) * 2.0 - 1) / m**0.5
opt = torch.optim.SGD([W], lr=1e-12)


def step():
    opt.zero_grad()
    f = F.relu(X @ W.T) @ a
    loss = F.softplus(-y * f).mean()
    loss.backward()
    opt.step()


step()
t0, c0 = time.perf_counter(), time.process_time()
for _ in range(steps):
    step()
print(f"{1e6 * (time.perf_counter() - t0) / steps:.1f} {1e6 * (time.process_time() - c0) / steps:.1f}")
