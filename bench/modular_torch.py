"""modular_torch.py: the modadd-lyu GD step (Lyu et al. 2024, Fig. 2) in PyTorch: a + b mod p on one-hot pairs,
f = W2 ReLU(W1 x + b1) with x the dense 2p one-hot of (a, b) (as the Lyu code does), He init for W1, W2 = 0,
b1 = 0, softmax cross-entropy (mean), full-batch GD with coupled weight decay (SGD weight_decay, on every
parameter as in groklab). Prints "wall_us cpu_us" per step. Used by bench/bench_modular.sh.
usage: python3 modular_torch.py P FRAC WIDTH STEPS THREADS float64|float32"""
import sys
import time

import torch
import torch.nn.functional as F

p, frac, h, steps, threads, dtype = (int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]),
                                     int(sys.argv[5]), sys.argv[6])
torch.set_num_threads(threads)
torch.set_default_dtype(getattr(torch, dtype))
g = torch.Generator().manual_seed(1)
pairs = torch.randperm(p * p, generator=g)[: int(frac * p * p)]
a, b = pairs // p, pairs % p
X = torch.cat([F.one_hot(a, p), F.one_hot(b, p)], 1).to(torch.get_default_dtype())  # n x 2p
y = (a + b) % p
W1 = (torch.randn(h, 2 * p, generator=g) * (2.0 / (2 * p)) ** 0.5).requires_grad_()
b1 = torch.zeros(h, requires_grad=True)
W2 = torch.zeros(p, h, requires_grad=True)
opt = torch.optim.SGD([W1, b1, W2], lr=0.002, weight_decay=1e-4)


def step():
    opt.zero_grad()
    logits = F.relu(X @ W1.T + b1) @ W2.T
    loss = F.cross_entropy(logits, y)
    loss.backward()
    opt.step()


for _ in range(min(3, steps)):
    step()
t0, c0 = time.perf_counter(), time.process_time()
for _ in range(steps):
    step()
print(f"{1e6 * (time.perf_counter() - t0) / steps:.1f} {1e6 * (time.process_time() - c0) / steps:.1f}")
