#!/usr/bin/env python3
"""gate: fails the run when the trained model's held-out accuracy is below the bar."""

import argparse
import json
import sys


def main():
    parser = argparse.ArgumentParser(description="Check held-out accuracy against a minimum.",
                                     epilog="example: python3 gate.py --metrics metrics.json --min-accuracy 0.9")
    parser.add_argument("--metrics", required=True, metavar="PATH", help="metrics JSON written by train.py")
    parser.add_argument("--min-accuracy", type=float, required=True, help="the lowest acceptable accuracy, 0..1")
    args = parser.parse_args()
    with open(args.metrics) as f:
        metrics = json.load(f)
    accuracy = metrics["accuracy"]
    verdict = "passed" if accuracy >= args.min_accuracy else "failed"
    print(f"accuracy {accuracy:.4f} on {metrics['device']} in {metrics['seconds']} s: {verdict} (minimum {args.min_accuracy})")
    sys.exit(0 if verdict == "passed" else 1)


if __name__ == "__main__":
    main()
