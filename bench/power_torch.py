"""power_torch.py: Power et al.'s decoder transformer (groklab's model/transformer, see transformer.h) in PyTorch,
for the agreement check and the speed comparison.

The model: X0 = W_E[tok] + P (sinusoidal, or learned W_pos); per layer, bias-free maps in the "x W" convention,
causal multi-head attention, post-LN (the authors' code) / pre-LN (with a final LN) / no LN, ReLU or GELU (erf)
feed-forward; logits = Y W_U at the last position ('='). Every position is computed in every layer (the usual
PyTorch implementation; groklab's last layer computes its query rows at the answer position only). Loss: mean
softmax cross-entropy of the answer. Optimizer: torch.optim.AdamW with a linear warmup (LambdaLR), weight decay
on every parameter.

usage:
  power_torch.py check DIR [TOL]    run the steps of a bench/power_dump directory (its init, train rows, batch
                                    order, options) in float64; print the max relative difference of the
                                    parameters after the last step and of the per-step losses against groklab's;
                                    exit 1 if a tensor or a loss differs by more than TOL (relative, default 1e-10)
  power_torch.py bench DTYPE THREADS STEPS [BATCH]
                                    the paper's model on x/y mod 97 (50% train), random init and minibatches;
                                    print "wall_us cpu_us" per step (DTYPE float64 or float32)
"""
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F


def sinusoid(T, D, dtype):
    pe = torch.zeros(T, D, dtype=torch.float64)
    for t in range(T):
        for j in range(D):
            ang = t / math.pow(10000.0, (j - j % 2) / D)
            pe[t, j] = math.cos(ang) if j % 2 else math.sin(ang)
    return pe.to(dtype)


class Transformer:
    """The parameters are a dict of tensors with groklab's names and shapes (a layer's tensors stacked by rows)."""

    def __init__(self, dims, params):
        self.d = dims
        self.p = params
        D, T = dims["d_model"], dims["n_ctx"]
        self.pe = sinusoid(T, D, params["W_E"].dtype)
        self.mask = torch.triu(torch.ones(T, T, dtype=torch.bool), 1)

    def ln(self, x, name, l):
        D = self.d["d_model"]
        return F.layer_norm(x, (D,), self.p[name + "_g"][l], self.p[name + "_b"][l], 1e-5)

    def lay(self, name, l, rows):
        return self.p[name][l * rows:(l + 1) * rows]

    def attention(self, u, l):
        n, T, D = u.shape
        H = self.d["heads"]
        dh = D // H
        q, k, v = (torch.matmul(u, self.lay(w, l, D)).view(n, T, H, dh).transpose(1, 2) for w in ("W_Q", "W_K", "W_V"))
        s = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(dh)
        a = torch.softmax(s.masked_fill(self.mask, float("-inf")), -1)
        z = torch.matmul(a, v).transpose(1, 2).reshape(n, T, D)
        return torch.matmul(z, self.lay("W_O", l, D))

    def ff(self, x, l):
        D, Fw = self.d["d_model"], self.d["d_ff"]
        h = torch.matmul(x, self.lay("W_1", l, D))
        h = F.relu(h) if self.d["act"] == "relu" else F.gelu(h)
        return torch.matmul(h, self.lay("W_2", l, Fw))

    def forward(self, tok):
        ln = self.d["ln"]
        x = self.p["W_E"][tok] + (self.p["W_pos"] if self.d["pos"] == "learned" else self.pe)
        for l in range(self.d["layers"]):
            if ln == "post":
                x = self.ln(x + self.attention(x, l), "ln1", l)
                x = self.ln(x + self.ff(x, l), "ln2", l)
            elif ln == "pre":
                x = x + self.attention(self.ln(x, "ln1", l), l)
                x = x + self.ff(self.ln(x, "ln2", l), l)
            else:
                x = x + self.attention(x, l)
                x = x + self.ff(x, l)
        y = x[:, -1]
        if ln == "pre":
            y = F.layer_norm(y, (self.d["d_model"],), self.p["lnf_g"], self.p["lnf_b"], 1e-5)
        return torch.matmul(y, self.p["W_U"])


def make_optimizer(params, o):
    opt = torch.optim.AdamW(params, lr=o["lr"], betas=(o["beta1"], o["beta2"]), eps=o["eps"], weight_decay=o["wd"])
    warm = int(o["warmup"])
    # step t (1-based) has lr x min(t / warmup, 1); LambdaLR's first step is its epoch 0
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda e: min((e + 1) / warm, 1.0) if warm > 0 else 1.0)
    return opt, sched


def read_dims(path):
    d = {}
    for line in open(path):
        k, v = line.split()
        try:
            d[k] = int(v)
        except ValueError:
            try:
                d[k] = float(v)
            except ValueError:
                d[k] = v
    return d


def check(dirname):
    torch.set_num_threads(1)
    d = read_dims(os.path.join(dirname, "dims.txt"))
    theta0 = np.fromfile(os.path.join(dirname, "theta0.bin"), dtype=np.float64)
    theta1 = np.fromfile(os.path.join(dirname, "theta.bin"), dtype=np.float64)
    tok = torch.from_numpy(np.fromfile(os.path.join(dirname, "tok.bin"), dtype=np.int32).astype(np.int64)).view(-1, 4)
    y = torch.from_numpy(np.fromfile(os.path.join(dirname, "y.bin"), dtype=np.int32).astype(np.int64))
    steps, B = d["steps"], d["batch"]
    batches = torch.from_numpy(np.fromfile(os.path.join(dirname, "batches.bin"), dtype=np.int32).astype(np.int64))
    batches = batches.view(steps, B)
    gk_loss = np.loadtxt(os.path.join(dirname, "loss.txt"), ndmin=1)
    params, layout = {}, []
    for line in open(os.path.join(dirname, "tensors.txt")):
        name, r, c, off = line.split()
        r, c, off = int(r), int(c), int(off)
        params[name] = torch.tensor(theta0[off:off + r * c].reshape(r, c), dtype=torch.float64, requires_grad=True)
        layout.append((name, r, c, off))
    for name in ("lnf_g", "lnf_b"):
        if name in params:
            params[name] = params[name].detach().view(-1).requires_grad_()
    model = Transformer(d, params)
    opt, sched = make_optimizer(list(params.values()), d)
    losses = []
    for t in range(steps):
        idx = batches[t][batches[t] >= 0]  # an epoch's last batch is shorter
        opt.zero_grad()
        loss = F.cross_entropy(model.forward(tok[idx]), y[idx])
        loss.backward()
        opt.step()
        sched.step()
        losses.append(loss.item())
    theta = np.zeros_like(theta1)
    for name, r, c, off in layout:
        theta[off:off + r * c] = params[name].detach().numpy().reshape(-1)
    rel = np.max(np.abs(theta - theta1)) / np.max(np.abs(theta1))
    per = max(np.max(np.abs(theta[o:o + r * c] - theta1[o:o + r * c]) / np.max(np.abs(theta1[o:o + r * c])))
              for _, r, c, o in layout)
    lrel = np.max(np.abs(np.array(losses) - gk_loss) / np.abs(gk_loss))
    moved = np.max(np.abs(theta1 - theta0)) / np.max(np.abs(theta1))
    print(f"steps {steps} batch {B} params {theta.size}: max |theta_torch - theta_groklab| / max |theta_groklab| = "
          f"{rel:.3e}; worst tensor {per:.3e}; max relative loss difference {lrel:.3e}; "
          f"(the steps moved theta by {moved:.3e} of its max); loss {gk_loss[0]:.6f} -> {gk_loss[-1]:.6f}")
    return max(per, lrel)


def init_params(dims, dtype, g):
    D, L, Fw, V, C = dims["d_model"], dims["layers"], dims["d_ff"], dims["vocab"], dims["n_out"]
    p = {"W_E": torch.randn(V, D, generator=g, dtype=torch.float64)}
    for name in ("ln1_g", "ln2_g"):
        p[name] = torch.ones(L, D, dtype=torch.float64)
    for name in ("ln1_b", "ln2_b"):
        p[name] = torch.zeros(L, D, dtype=torch.float64)

    def unif(r, c, fan):
        return (torch.rand(r, c, generator=g, dtype=torch.float64) * 2 - 1) / math.sqrt(fan)
    for name in ("W_Q", "W_K", "W_V", "W_O"):
        p[name] = unif(L * D, D, D)
    p["W_1"], p["W_2"], p["W_U"] = unif(L * D, Fw, D), unif(L * Fw, D, Fw), unif(D, C, D)
    return {k: v.to(dtype).requires_grad_() for k, v in p.items()}


def bench(dtype_name, threads, steps, batch):
    torch.set_num_threads(threads)
    dtype = getattr(torch, dtype_name)
    N = 97
    dims = {"vocab": N + 2, "n_ctx": 4, "n_out": N, "layers": 2, "d_model": 128, "heads": 4, "d_ff": 512,
            "ln": "post", "pos": "sin", "act": "relu"}
    g = torch.Generator().manual_seed(1)
    x = torch.arange(N).repeat_interleave(N - 1)
    yv = torch.arange(1, N).repeat(N)
    rows = torch.randperm(x.numel(), generator=g)[: x.numel() // 2]
    tok = torch.stack([x, torch.full_like(x, N), yv, torch.full_like(x, N + 1)], 1)[rows]
    lab = (x * yv % N)[rows]
    params = init_params(dims, dtype, g)
    model = Transformer(dims, params)
    opt, sched = make_optimizer(list(params.values()),
                                {"lr": 1e-3, "beta1": 0.9, "beta2": 0.98, "eps": 1e-8, "wd": 1.0, "warmup": 10})
    n = tok.shape[0]

    def step(t):
        idx = torch.randperm(n, generator=g)[:batch]
        opt.zero_grad()
        loss = F.cross_entropy(model.forward(tok[idx]), lab[idx])
        loss.backward()
        opt.step()
        sched.step()

    for t in range(min(3, steps)):
        step(t)
    t0, c0 = time.perf_counter(), time.process_time()
    for t in range(steps):
        step(t)
    print(f"{1e6 * (time.perf_counter() - t0) / steps:.1f} {1e6 * (time.process_time() - c0) / steps:.1f}")


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "check":
        tol = float(sys.argv[3]) if len(sys.argv) > 3 else 1e-10
        worst = check(sys.argv[2])
        print(f"{'PASS' if worst <= tol else 'FAIL'}: worst relative difference {worst:.3e} (tolerance {tol:g})")
        sys.exit(0 if worst <= tol else 1)
    elif len(sys.argv) >= 5 and sys.argv[1] == "bench":
        bench(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]) if len(sys.argv) > 5 else 512)
    else:
        sys.exit(__doc__)
