#!/usr/bin/env python3
"""publish: write a report with the best model and its metrics (stands in for registering the model)."""

import argparse
import hashlib
import json
import sys

# Steps read these scripts from a shared folder; keep python from writing __pycache__ into it.
sys.dont_write_bytecode = True
import churnlib  # noqa: E402


def main():
    parser = argparse.ArgumentParser(
        description="Publish the best churn model: write a JSON report with the model, its metrics and its digest.",
        epilog="example: python3 publish.py --model best.json --metrics metrics.json --min-auc 0.6 --run r-1 --out report.json")
    parser.add_argument("--model", required=True, metavar="PATH", help="the best model (evaluate.py's best_model)")
    parser.add_argument("--metrics", required=True, metavar="PATH", help="evaluate.py's metrics JSON")
    parser.add_argument("--min-auc", type=float, default=0.0, help="refuse to publish below this AUC (the pipeline's gate)")
    parser.add_argument("--run", default="", help="id of the run that produced the model")
    parser.add_argument("--out", required=True, metavar="PATH", help="where to write the report JSON")
    args = parser.parse_args()

    model = churnlib.load_json(args.model, "model")
    metrics = churnlib.load_json(args.metrics, "metrics")
    for key in ("auc", "accuracy", "best_index"):
        if key not in metrics:
            raise churnlib.UsageError(f"metrics file '{args.metrics}' has no '{key}'; give the metrics written by evaluate.py")
    # The pipeline only runs this step when the gate passed; checking again keeps a manual run honest.
    if metrics["auc"] < args.min_auc:
        raise churnlib.UsageError(f"AUC {metrics['auc']:.4f} is below --min-auc {args.min_auc}; not publishing")

    with open(args.model, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    report = {
        "published": True,
        "run": args.run,
        "model_sha256": digest,
        "lr": model.get("lr"),
        "auc": metrics["auc"],
        "accuracy": metrics["accuracy"],
        "min_auc": args.min_auc,
        "test_rows": metrics.get("test_rows"),
        "model": model,
    }
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(report, f, indent=2)
    print(f"published model sha256:{digest[:12]} (lr {model.get('lr')}, auc {metrics['auc']:.4f}) from run {args.run or '-'}")


if __name__ == "__main__":
    churnlib.run_main(main)
