"""kumar_torch.py: the kumar-fig1 GD step (Kumar et al. 2024, Fig. 1) in PyTorch float64, by the direct formula
with autograd: f(W, x) = (alpha/N) sum_i phi(w_i.x), phi(h) = h + eps/2 h^2, centred MSE (mean over P) of
f - f(W0) against y = (beta.x)^2 / 2, plain GD with lr = N / alpha^2.
Prints "wall_us cpu_us" per step. Used by bench/bench_kumar.sh.
usage: python3 kumar_torch.py D P N STEPS THREADS"""
import sys
import time

import torch

D, P, N, steps, threads = (int(a) for a in sys.argv[1:6])
torch.set_num_threads(threads)
torch.set_default_dtype(torch.float64)
g = torch.Generator().manual_seed(1)
alpha, eps = 1.0, 0.02
X = torch.randn(P, D, generator=g) / D**0.5
beta = torch.randn(D, generator=g)
y = 0.5 * (X @ beta) ** 2
W = torch.randn(N, D, generator=g).requires_grad_()


def f(W):
    h = X @ W.T
    return (alpha / N) * (h + 0.5 * eps * h * h).sum(1)


with torch.no_grad():
    f0 = f(W)
opt = torch.optim.SGD([W], lr=N / alpha**2)


def step():
    opt.zero_grad()
    loss = ((f(W) - f0 - y) ** 2).mean()
    loss.backward()
    opt.step()


for _ in range(min(10, steps)):
    step()
t0, c0 = time.perf_counter(), time.process_time()
for _ in range(steps):
    step()
print(f"{1e6 * (time.perf_counter() - t0) / steps:.1f} {1e6 * (time.process_time() - c0) / steps:.1f}")
