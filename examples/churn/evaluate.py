#!/usr/bin/env python3
"""evaluate: score every trained model on the held-out split and keep the best by AUC."""

import argparse
import json
import os
import shutil
import sys

# Steps read these scripts from a shared folder; keep python from writing __pycache__ into it.
sys.dont_write_bytecode = True
import churnlib  # noqa: E402


def model_files(path):
    """The fan-out's models: a directory with one file per item named 0, 1, ... (or a single model file)."""
    if os.path.isfile(path):
        return [(0, path)]
    if not os.path.isdir(path):
        raise churnlib.UsageError(f"--models '{path}' does not exist; give the directory of trained models")
    names = sorted((name for name in os.listdir(path) if name.isdigit()), key=int)
    if not names:
        raise churnlib.UsageError(f"--models '{path}' holds no model files named 0, 1, ...")
    return [(int(name), os.path.join(path, name)) for name in names]


def main():
    parser = argparse.ArgumentParser(
        description="Evaluate trained churn models on the held-out split; pick the best by AUC.",
        epilog="example: python3 evaluate.py --models models/ --data dataset.csv --seed 7 --metrics-out metrics.json "
               "--auc-out auc.txt --accuracy-out accuracy.txt --best-model-out best.json")
    parser.add_argument("--models", required=True, metavar="DIR", help="directory of model files 0, 1, ... (or one model file)")
    parser.add_argument("--data", required=True, metavar="PATH", help="dataset CSV written by prepare.py")
    parser.add_argument("--seed", type=int, default=7, help="seed of the train/test split; the one train.py used")
    parser.add_argument("--metrics-out", required=True, metavar="PATH", help="where to write all metrics (JSON)")
    parser.add_argument("--scores-out", metavar="PATH",
                        help="where to write the best model's metrics as a flat JSON object of numbers (for the model registry)")
    parser.add_argument("--auc-out", required=True, metavar="PATH", help="where to write the best AUC (text)")
    parser.add_argument("--accuracy-out", required=True, metavar="PATH", help="where to write the best model's accuracy (text)")
    parser.add_argument("--best-model-out", required=True, metavar="PATH", help="where to copy the best model")
    args = parser.parse_args()

    models = model_files(args.models)
    _, test_rows = churnlib.split(churnlib.read_dataset(args.data), args.seed)
    features = [churnlib.feature_vector(row) for row in test_rows]
    labels = [row["churned"] for row in test_rows]

    results = []
    for index, path in models:
        model = churnlib.load_json(path, "model")
        if model.get("features") != list(churnlib.FEATURES):
            raise churnlib.UsageError(f"model '{path}' was trained on other features; retrain it with this train.py")
        if model.get("split_seed", args.seed) != args.seed:
            raise churnlib.UsageError(f"model '{path}' was trained with split seed {model['split_seed']}, "
                                      f"but --seed is {args.seed}: the test rows would overlap its training rows")
        probabilities = churnlib.predict(model, features)
        result = {
            "index": index,
            "lr": model.get("lr"),
            "auc": churnlib.auc(labels, probabilities),
            "accuracy": churnlib.accuracy(labels, probabilities),
            "log_loss": churnlib.log_loss(labels, probabilities),
            "path": path,
        }
        results.append(result)
        print(f"model {index} (lr {result['lr']}): auc {result['auc']:.4f}  accuracy {result['accuracy']:.4f}  "
              f"log loss {result['log_loss']:.4f}")

    # Best AUC; ties go to the lower held-out loss, then to the earlier model.
    best = min(results, key=lambda r: (-r["auc"], r["log_loss"], r["index"]))
    shutil.copyfile(best["path"], args.best_model_out)
    metrics = {
        "best_index": best["index"],
        "best_lr": best["lr"],
        "auc": best["auc"],
        "accuracy": best["accuracy"],
        "log_loss": best["log_loss"],
        "test_rows": len(labels),
        "test_churn_rate": sum(labels) / len(labels),
        "models": [{k: v for k, v in r.items() if k != "path"} for r in results],
    }
    with open(args.metrics_out, "w", encoding="utf-8") as f:
        json.dump(metrics, f, indent=2)
    if args.scores_out:
        scores = {name: metrics[name] for name in ("auc", "accuracy", "log_loss", "best_lr", "test_churn_rate")}
        with open(args.scores_out, "w", encoding="utf-8") as f:
            json.dump(scores, f)
    churnlib.write_text(args.auc_out, f"{best['auc']:.6f}\n")
    churnlib.write_text(args.accuracy_out, f"{best['accuracy']:.6f}\n")
    print(f"best: model {best['index']} (lr {best['lr']}) with auc {best['auc']:.4f}")


if __name__ == "__main__":
    churnlib.run_main(main)
