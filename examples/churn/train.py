#!/usr/bin/env python3
"""train: logistic regression by full-batch gradient descent on standardized features."""

import argparse
import json
import math
import operator
import os
import sys

# Steps read these scripts from a shared folder; keep python from writing __pycache__ into it.
sys.dont_write_bytecode = True
import churnlib  # noqa: E402


def train(x, y, lr, epochs, log_every):
    n, width = len(x), len(x[0])
    columns = [list(c) for c in zip(*x)]
    weights, bias = [0.0] * width, 0.0
    loss = math.nan
    for epoch in range(1, epochs + 1):
        probabilities = [churnlib.sigmoid(bias + sum(map(operator.mul, weights, row))) for row in x]
        errors = [p - t for p, t in zip(probabilities, y)]
        for j in range(width):
            weights[j] -= lr * sum(map(operator.mul, errors, columns[j])) / n
        bias -= lr * sum(errors) / n
        if epoch == 1 or epoch % log_every == 0 or epoch == epochs:
            loss = churnlib.log_loss(y, probabilities)
            print(f"epoch {epoch:4d}/{epochs}  loss {loss:.6f}", flush=True)
    # The loss after the last update, on the training split.
    final = [churnlib.sigmoid(bias + sum(map(operator.mul, weights, row))) for row in x]
    return weights, bias, churnlib.log_loss(y, final)


def main():
    parser = argparse.ArgumentParser(
        description="Train a logistic-regression churn model (batch gradient descent, standardized features).",
        epilog="example: python3 train.py --data dataset.csv --lr 0.1 --epochs 150 --seed 7 "
               "--model-out model.json --loss-out loss.txt")
    parser.add_argument("--data", required=True, metavar="PATH", help="dataset CSV written by prepare.py")
    parser.add_argument("--lr", required=True, type=float, help="learning rate, > 0 (e.g. 0.1)")
    parser.add_argument("--epochs", type=int, default=150, help="gradient-descent epochs (default 150)")
    parser.add_argument("--seed", type=int, default=7, help="seed of the train/test split; evaluate.py must use the same")
    parser.add_argument("--log-every", type=int, default=25, help="print the loss every N epochs (default 25)")
    parser.add_argument("--model-out", required=True, metavar="PATH", help="where to write the model JSON")
    parser.add_argument("--loss-out", required=True, metavar="PATH", help="where to write the final training loss (text)")
    args = parser.parse_args()
    if not (args.lr > 0 and math.isfinite(args.lr)):
        raise churnlib.UsageError(f"--lr must be a positive number, got {args.lr}")
    if args.epochs < 1:
        raise churnlib.UsageError(f"--epochs must be at least 1, got {args.epochs}")
    if args.log_every < 1:
        raise churnlib.UsageError(f"--log-every must be at least 1, got {args.log_every}")

    # The agent gives each step the GPUs it was placed on; this model trains on the CPU, but show what we got.
    print(f"CUDA_VISIBLE_DEVICES={os.environ.get('CUDA_VISIBLE_DEVICES', '(not set)')}")
    train_rows, _ = churnlib.split(churnlib.read_dataset(args.data), args.seed)
    raw = [churnlib.feature_vector(row) for row in train_rows]
    labels = [row["churned"] for row in train_rows]
    scaler = churnlib.fit_scaler(raw)
    print(f"training on {len(raw)} rows, {len(churnlib.FEATURES)} features, lr {args.lr}, {args.epochs} epochs")
    weights, bias, loss = train(churnlib.scale(raw, scaler), labels, args.lr, args.epochs, args.log_every)

    model = {
        "format": "churn-logistic-regression/v1",
        "features": list(churnlib.FEATURES),
        "weights": weights,
        "bias": bias,
        "scaler": scaler,
        "lr": args.lr,
        "epochs": args.epochs,
        "split_seed": args.seed,
        "train_rows": len(raw),
        "final_loss": loss,
    }
    with open(args.model_out, "w", encoding="utf-8") as f:
        json.dump(model, f, indent=2)
    churnlib.write_text(args.loss_out, f"{loss:.6f}\n")
    print(f"final loss {loss:.6f}; wrote {args.model_out}")


if __name__ == "__main__":
    churnlib.run_main(main)
