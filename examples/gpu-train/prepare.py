#!/usr/bin/env python3
"""prepare: a synthetic two-class dataset (a disc inside a ring, with noise) as CSV rows x1,x2,label."""

import argparse
import math
import random


def main():
    parser = argparse.ArgumentParser(description="Write a noisy disc-inside-a-ring dataset for binary classification.",
                                     epilog="example: python3 prepare.py --rows 20000 --seed 7 --out data.csv")
    parser.add_argument("--rows", type=int, required=True, help="rows to write (at least 10)")
    parser.add_argument("--seed", type=int, default=7, help="random seed")
    parser.add_argument("--out", required=True, metavar="PATH", help="where to write the CSV")
    args = parser.parse_args()
    if args.rows < 10:
        parser.error("--rows must be at least 10")

    rng = random.Random(args.seed)
    with open(args.out, "w") as f:
        f.write("x1,x2,label\n")
        for _ in range(args.rows):
            label = rng.random() < 0.5
            radius = rng.gauss(2.0, 0.25) if label else abs(rng.gauss(0.0, 0.7))
            angle = rng.uniform(0, 2 * math.pi)
            f.write(f"{radius * math.cos(angle):.6f},{radius * math.sin(angle):.6f},{int(label)}\n")
    print(f"wrote {args.rows} rows to {args.out}")


if __name__ == "__main__":
    main()
