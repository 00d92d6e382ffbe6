#!/usr/bin/env python3
"""notify: the exit handler; prints a one-line summary of how the run ended."""

import argparse
import sys

# Steps read these scripts from a shared folder; keep python from writing __pycache__ into it.
sys.dont_write_bytecode = True
import churnlib  # noqa: E402


def main():
    parser = argparse.ArgumentParser(
        description="Print a one-line summary of a finished churn run (the pipeline's exit handler).",
        epilog="example: python3 notify.py --status succeeded --run r-1")
    parser.add_argument("--status", required=True, help="how the run ended: succeeded, failed or cancelled")
    parser.add_argument("--run", required=True, help="the run id")
    args = parser.parse_args()
    status = args.status.strip().lower()
    if not status:
        raise churnlib.UsageError("--status is empty; pass {{run.status}}")
    outcome = {"succeeded": "succeeded", "failed": "FAILED", "cancelled": "was cancelled"}.get(status, f"ended: {status}")
    print(f"churn run {args.run} {outcome}")


if __name__ == "__main__":
    churnlib.run_main(main)
