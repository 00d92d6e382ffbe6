#!/usr/bin/env python3
"""train: a multi-layer perceptron (tanh hidden layers, one logit) trained full-batch with Adam.

With PyTorch it trains on the GPU the scheduler assigned (CUDA_VISIBLE_DEVICES), or on the CPU when CUDA is not
there; without PyTorch (a machine with simulated GPUs) it runs the same model and optimizer in plain Python, which is
only practical for small --rows and --hidden."""

import argparse
import json
import math
import os
import random
import time


def load(path):
    xs, ys = [], []
    with open(path) as f:
        next(f)
        for line in f:
            a, b, label = line.strip().split(",")
            xs.append((float(a), float(b)))
            ys.append(float(label))
    cut = int(len(xs) * 0.8)
    return xs[:cut], ys[:cut], xs[cut:], ys[cut:]


def train_torch(torch, data, args):
    xtr, ytr, xte, yte = data
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    name = torch.cuda.get_device_name(0) if device.type == "cuda" else "cpu"
    print(f"torch {torch.__version__} on {name}", flush=True)
    torch.manual_seed(args.seed)
    layers, width = [], 2
    for _ in range(args.layers):
        layers += [torch.nn.Linear(width, args.hidden), torch.nn.Tanh()]
        width = args.hidden
    model = torch.nn.Sequential(*layers, torch.nn.Linear(width, 1)).to(device)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    loss_fn = torch.nn.BCEWithLogitsLoss()
    x = torch.tensor(xtr, device=device)
    y = torch.tensor(ytr, device=device).unsqueeze(1)
    loss = None
    for epoch in range(1, args.epochs + 1):
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        if epoch == 1 or epoch % args.log_every == 0 or epoch == args.epochs:
            print(f"epoch {epoch:5d}/{args.epochs}  loss {loss.item():.5f}", flush=True)
    with torch.no_grad():
        pred = (model(torch.tensor(xte, device=device)) > 0).float().squeeze(1).cpu().tolist()
    torch.save(model.state_dict(), args.model_out)
    return name, loss.item(), pred


def train_python(data, args):
    """The same network and Adam, in plain Python lists (no numpy): slow, for small checks only."""
    xtr, ytr, xte, _ = data
    print("torch not installed: training in plain Python", flush=True)
    rng = random.Random(args.seed)
    sizes = [2] + [args.hidden] * args.layers + [1]
    weights = [[[rng.gauss(0, 1 / math.sqrt(i)) for _ in range(i)] for _ in range(o)] for i, o in zip(sizes, sizes[1:])]
    biases = [[0.0] * o for o in sizes[1:]]
    params = [(w, b) for w, b in zip(weights, biases)]
    m = [([[0.0] * len(r) for r in w], [0.0] * len(b)) for w, b in params]
    v = [([[0.0] * len(r) for r in w], [0.0] * len(b)) for w, b in params]

    def forward(x):
        acts = [list(x)]
        for k, (w, b) in enumerate(params):
            z = [bj + sum(wi * a for wi, a in zip(row, acts[-1])) for row, bj in zip(w, b)]
            acts.append(z if k == len(params) - 1 else [math.tanh(t) for t in z])
        return acts

    loss = math.nan
    for epoch in range(1, args.epochs + 1):
        gw = [([[0.0] * len(r) for r in w], [0.0] * len(b)) for w, b in params]
        loss = 0.0
        for x, y in zip(xtr, ytr):
            acts = forward(x)
            z = acts[-1][0]
            p = 1 / (1 + math.exp(-z))
            loss += -(y * math.log(max(p, 1e-12)) + (1 - y) * math.log(max(1 - p, 1e-12)))
            delta = [p - y]
            for k in range(len(params) - 1, -1, -1):
                w, _ = params[k]
                for j, d in enumerate(delta):
                    gw[k][1][j] += d
                    row = gw[k][0][j]
                    for i, a in enumerate(acts[k]):
                        row[i] += d * a
                if k:
                    delta = [(1 - acts[k][i] ** 2) * sum(w[j][i] * delta[j] for j in range(len(delta))) for i in range(len(acts[k]))]
        n = len(xtr)
        loss /= n
        for (w, b), (gwk, gbk), (mw, mb), (vw, vb) in zip(params, gw, m, v):
            for rows, grads, mrows, vrows in ((w, gwk, mw, vw),):
                for r, g, mr, vr in zip(rows, grads, mrows, vrows):
                    for i in range(len(r)):
                        r[i] -= adam(g[i] / n, mr, vr, i, epoch, args.lr)
            for j in range(len(b)):
                b[j] -= adam(gbk[j] / n, mb, vb, j, epoch, args.lr)
        if epoch == 1 or epoch % args.log_every == 0 or epoch == args.epochs:
            print(f"epoch {epoch:5d}/{args.epochs}  loss {loss:.5f}", flush=True)
    pred = [1.0 if forward(x)[-1][0] > 0 else 0.0 for x in xte]
    with open(args.model_out, "w") as f:
        json.dump({"sizes": sizes, "weights": weights, "biases": biases}, f)
    return "python", loss, pred


def adam(g, m, v, i, t, lr, b1=0.9, b2=0.999, eps=1e-8):
    m[i] = b1 * m[i] + (1 - b1) * g
    v[i] = b2 * v[i] + (1 - b2) * g * g
    return lr * (m[i] / (1 - b1 ** t)) / (math.sqrt(v[i] / (1 - b2 ** t)) + eps)


def main():
    parser = argparse.ArgumentParser(description="Train an MLP classifier on the prepared dataset (GPU when there is one).",
                                     epilog="example: python3 train.py --data data.csv --hidden 256 --layers 2 --epochs 300 "
                                            "--model-out model.pt --metrics-out metrics.json")
    parser.add_argument("--data", required=True, metavar="PATH", help="CSV written by prepare.py")
    parser.add_argument("--hidden", type=int, default=256, help="units per hidden layer")
    parser.add_argument("--layers", type=int, default=2, help="hidden layers")
    parser.add_argument("--epochs", type=int, default=300, help="full-batch Adam steps")
    parser.add_argument("--lr", type=float, default=0.01, help="Adam learning rate")
    parser.add_argument("--seed", type=int, default=7, help="initialization seed")
    parser.add_argument("--log-every", type=int, default=50, help="print the loss every this many epochs")
    parser.add_argument("--model-out", required=True, metavar="PATH", help="where to write the trained weights")
    parser.add_argument("--metrics-out", required=True, metavar="PATH", help="where to write metrics JSON")
    args = parser.parse_args()
    for name in ("hidden", "layers", "epochs", "log_every"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")

    print("CUDA_VISIBLE_DEVICES=" + os.environ.get("CUDA_VISIBLE_DEVICES", "(unset)"), flush=True)
    data = load(args.data)
    start = time.time()
    try:
        import torch
    except ImportError:
        torch = None
    device, loss, pred = train_torch(torch, data, args) if torch else train_python(data, args)
    yte = data[3]
    accuracy = sum(p == y for p, y in zip(pred, yte)) / max(len(yte), 1)
    metrics = {"accuracy": accuracy, "loss": loss, "device": device, "seconds": round(time.time() - start, 3),
               "epochs": args.epochs, "hidden": args.hidden, "layers": args.layers, "train_rows": len(data[0])}
    with open(args.metrics_out, "w") as f:
        json.dump(metrics, f)
    print(json.dumps(metrics), flush=True)


if __name__ == "__main__":
    main()
