#!/usr/bin/env python3
"""prepare: write the churn dataset CSV, generated synthetically (known logistic ground truth) or read from --csv."""

import argparse
import json
import sys

# Steps read these scripts from a shared folder; keep python from writing __pycache__ into it.
sys.dont_write_bytecode = True
import churnlib  # noqa: E402


def main():
    parser = argparse.ArgumentParser(
        description="Generate a synthetic customer-churn dataset (or validate a given CSV) and write it as CSV.",
        epilog="example: python3 prepare.py --rows 4000 --seed 7 --out dataset.csv")
    parser.add_argument("--rows", type=int, default=4000, help="rows to generate (default 4000; ignored with --csv)")
    parser.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    parser.add_argument("--csv", metavar="PATH", help=f"read this CSV instead of generating; columns: {', '.join(churnlib.COLUMNS)}")
    parser.add_argument("--drift", type=float, default=0.0, metavar="SIGMAS",
                        help="move every numeric feature by this many standard deviations (newer data that moved; default 0)")
    parser.add_argument("--out", required=True, metavar="PATH", help="where to write the dataset CSV")
    parser.add_argument("--profile-out", metavar="PATH",
                        help="where to write the training split's baseline profile (JSON, for the model registry)")
    args = parser.parse_args()

    if args.csv:
        data = churnlib.read_dataset(args.csv)
        print(f"read {len(data)} rows from {args.csv}")
    else:
        if args.rows < churnlib.MIN_ROWS:
            raise churnlib.UsageError(f"--rows must be at least {churnlib.MIN_ROWS}, got {args.rows}")
        data = churnlib.shift(churnlib.generate(args.rows, args.seed), args.drift)
        moved = f", numeric features moved by {args.drift:g} standard deviations" if args.drift else ""
        print(f"generated {len(data)} synthetic customers (seed {args.seed}{moved})")

    churnlib.write_dataset(data, args.out)
    churned = sum(row["churned"] for row in data)
    print(f"churn rate {churned / len(data):.3f} ({churned} of {len(data)}); wrote {args.out}")
    if args.profile_out:
        train, _ = churnlib.split(data, args.seed)
        with open(args.profile_out, "w", encoding="utf-8") as f:
            json.dump(churnlib.baseline_profile(train, args.seed), f)
        print(f"wrote the baseline profile of {len(train)} training rows to {args.profile_out}")


if __name__ == "__main__":
    churnlib.run_main(main)
