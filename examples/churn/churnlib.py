"""Shared pieces of the churn example: the dataset schema, the split, scaling, the model and its metrics.

Standard library only. Every script imports this module from its own folder (python puts the script's
folder on sys.path), so the scripts work wherever the agent runs them from.
"""

import bisect
import csv
import json
import math
import random
import sys

CONTRACTS = ("month-to-month", "one-year", "two-year")

# Columns of the dataset CSV, in order; `churned` is the label (0/1).
COLUMNS = (
    "customer_id", "tenure", "monthly_charges", "total_charges", "support_calls",
    "contract", "senior_citizen", "paperless_billing", "num_products", "churned",
)

# Model inputs derived from a row (contract one-hot encoded, month-to-month as the baseline).
FEATURES = (
    "tenure", "monthly_charges", "total_charges", "support_calls", "contract_one_year",
    "contract_two_year", "senior_citizen", "paperless_billing", "num_products",
)

TEST_FRACTION = 0.2
MIN_ROWS = 50

# The baseline profile the registry keeps for drift monitoring: numeric columns as quantile bins plus a bounded
# sample, categorical columns as frequencies (see docs/models.md for the shape).
PROFILE_NUMERIC = ("tenure", "monthly_charges", "total_charges", "support_calls", "num_products")
PROFILE_CATEGORICAL = ("contract", "senior_citizen", "paperless_billing")
PROFILE_BINS = 10
PROFILE_SAMPLE = 500


class UsageError(Exception):
    """Bad input from the user: reported as `error: ...` with exit code 2."""


def run_main(main):
    """Runs a script's main(), turning UsageError and missing files into one clear line and exit code 2."""
    try:
        main()
    except UsageError as e:
        print(f"error: {e}", file=sys.stderr)
        sys.exit(2)


def sigmoid(z):
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def _poisson(rng, mean):
    # Knuth's method: fine for the small means used here.
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def generate(rows, seed):
    """Synthetic customers with a known logistic ground truth plus noise; deterministic for a seed."""
    rng = random.Random(seed)
    data = []
    for i in range(rows):
        tenure = rng.randint(0, 72)
        contract = rng.choices(CONTRACTS, weights=(0.55, 0.25, 0.20))[0]
        monthly = round(rng.uniform(18.0, 118.0), 2)
        total = round(tenure * monthly * rng.uniform(0.9, 1.1), 2)
        calls = min(_poisson(rng, 1.5), 12)
        senior = 1 if rng.random() < 0.16 else 0
        paperless = 1 if rng.random() < 0.6 else 0
        products = rng.randint(1, 5)
        logit = (0.3 - 0.045 * tenure + 0.025 * (monthly - 70.0) + 0.45 * calls
                 - 0.9 * (contract == "one-year") - 1.8 * (contract == "two-year")
                 + 0.4 * senior + 0.3 * paperless - 0.15 * (products - 1)
                 + rng.gauss(0.0, 0.5))
        churned = 1 if rng.random() < sigmoid(logit) else 0
        data.append({
            "customer_id": f"c{i:06d}", "tenure": tenure, "monthly_charges": monthly, "total_charges": total,
            "support_calls": calls, "contract": contract, "senior_citizen": senior,
            "paperless_billing": paperless, "num_products": products, "churned": churned,
        })
    return data


def shift(data, sigmas):
    """Moves every profiled numeric column by `sigmas` of its own standard deviation: newer customers whose
    distribution moved (the retraining demo's drift), as `orch models traffic --shift` moves live traffic."""
    if sigmas == 0:
        return data
    for name in PROFILE_NUMERIC:
        values = [float(row[name]) for row in data]
        mean = sum(values) / len(values)
        std = math.sqrt(sum((v - mean) ** 2 for v in values) / len(values)) or 1.0
        for row in data:
            row[name] = round(float(row[name]) + sigmas * std, 4)
    return data


def write_dataset(data, path):
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS)
        writer.writeheader()
        for row in data:
            writer.writerow(row)


def _number(text, column, line, path):
    try:
        value = float(text)
    except ValueError:
        raise UsageError(f"{path}, line {line}: column '{column}' must be a number, got {text!r}") from None
    if not math.isfinite(value):
        raise UsageError(f"{path}, line {line}: column '{column}' must be a finite number, got {text!r}")
    return value


def _flag(text, column, line, path):
    lowered = text.strip().lower()
    if lowered in ("1", "yes", "true"):
        return 1
    if lowered in ("0", "no", "false"):
        return 0
    raise UsageError(f"{path}, line {line}: column '{column}' must be 0/1 (or yes/no), got {text!r}")


def read_dataset(path):
    """Reads a dataset CSV (ours, or a user's with the same columns); refuses bad rows with the line number."""
    try:
        f = open(path, newline="", encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"dataset file '{path}' does not exist") from None
    except IsADirectoryError:
        raise UsageError(f"dataset path '{path}' is a directory; give the CSV file") from None
    with f:
        reader = csv.DictReader(f)
        header = reader.fieldnames or []
        missing = [c for c in COLUMNS if c != "customer_id" and c not in header]
        if missing:
            raise UsageError(f"{path}: missing column(s) {', '.join(missing)}; the header must include "
                             f"{', '.join(COLUMNS[1:])}")
        data = []
        for line, raw in enumerate(reader, start=2):
            contract = (raw["contract"] or "").strip().lower()
            if contract not in CONTRACTS:
                raise UsageError(f"{path}, line {line}: column 'contract' must be one of {', '.join(CONTRACTS)}, "
                                 f"got {raw['contract']!r}")
            row = {"customer_id": raw.get("customer_id") or f"row{line}", "contract": contract}
            for column in ("tenure", "monthly_charges", "total_charges", "support_calls", "num_products"):
                row[column] = _number(raw[column] or "", column, line, path)
            for column in ("senior_citizen", "paperless_billing", "churned"):
                row[column] = _flag(raw[column] or "", column, line, path)
            data.append(row)
    if len(data) < MIN_ROWS:
        raise UsageError(f"{path}: {len(data)} rows; at least {MIN_ROWS} are needed to train and evaluate")
    if len({row["churned"] for row in data}) < 2:
        raise UsageError(f"{path}: every row has the same 'churned' value; both 0 and 1 are needed")
    return data


def feature_vector(row):
    return [
        float(row["tenure"]), float(row["monthly_charges"]), float(row["total_charges"]),
        float(row["support_calls"]), 1.0 if row["contract"] == "one-year" else 0.0,
        1.0 if row["contract"] == "two-year" else 0.0, float(row["senior_citizen"]),
        float(row["paperless_billing"]), float(row["num_products"]),
    ]


def split(data, seed):
    """The same train/test split for a given seed and dataset, in train.py and evaluate.py alike."""
    order = list(range(len(data)))
    random.Random(f"split-{seed}").shuffle(order)
    test_size = max(1, int(round(len(data) * TEST_FRACTION)))
    test = [data[i] for i in sorted(order[:test_size])]
    train = [data[i] for i in sorted(order[test_size:])]
    return train, test


def baseline_profile(rows, seed):
    """The training rows' distribution as the registry's BaselineProfile JSON object.

    Edges are deciles with repeats dropped (edges must be strictly ascending); a value equal to an edge counts in the
    bin above it, as the monitors bin live values.
    """
    numeric = {}
    for name in PROFILE_NUMERIC:
        values = sorted(float(row[name]) for row in rows)
        edges = []
        for k in range(1, PROFILE_BINS):
            edge = values[min(len(values) - 1, len(values) * k // PROFILE_BINS)]
            if not edges or edge > edges[-1]:
                edges.append(edge)
        counts = [0] * (len(edges) + 1)
        for value in values:
            counts[bisect.bisect_right(edges, value)] += 1
        sample = random.Random(f"profile-{seed}-{name}").sample(values, min(PROFILE_SAMPLE, len(values)))
        numeric[name] = {"bin_edges": edges, "proportions": [c / len(values) for c in counts], "sample": sample}
    categorical = {}
    for name in PROFILE_CATEGORICAL:
        counts = {}
        for row in rows:
            counts[str(row[name])] = counts.get(str(row[name]), 0) + 1
        categorical[name] = {"frequencies": {k: v / len(rows) for k, v in sorted(counts.items())}, "count": len(rows)}
    return {"numeric": numeric, "categorical": categorical}


def fit_scaler(rows):
    columns = list(zip(*rows))
    means = [sum(c) / len(c) for c in columns]
    stds = []
    for c, m in zip(columns, means):
        variance = sum((v - m) ** 2 for v in c) / len(c)
        # A constant column would divide by zero; scaling it by 1 leaves it harmlessly constant.
        stds.append(math.sqrt(variance) if variance > 1e-12 else 1.0)
    return {"mean": means, "std": stds}


def scale(rows, scaler):
    means, stds = scaler["mean"], scaler["std"]
    return [[(v - m) / s for v, m, s in zip(row, means, stds)] for row in rows]


def predict(model, rows):
    """Churn probabilities for raw (unscaled) feature vectors."""
    weights, bias = model["weights"], model["bias"]
    return [sigmoid(bias + sum(map(float.__mul__, weights, x))) for x in scale(rows, model["scaler"])]


def log_loss(labels, probabilities):
    eps = 1e-12
    total = 0.0
    for y, p in zip(labels, probabilities):
        p = min(max(p, eps), 1.0 - eps)
        total -= y * math.log(p) + (1 - y) * math.log(1.0 - p)
    return total / len(labels)


def auc(labels, scores):
    """Exact ROC AUC from ranks (Mann-Whitney U); tied scores share their average rank."""
    positives = sum(labels)
    negatives = len(labels) - positives
    if positives == 0 or negatives == 0:
        raise UsageError("AUC needs both churned and retained customers in the test split; use more rows")
    order = sorted(range(len(scores)), key=lambda i: scores[i])
    ranks = [0.0] * len(scores)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and scores[order[j + 1]] == scores[order[i]]:
            j += 1
        average_rank = (i + j) / 2.0 + 1.0
        for k in range(i, j + 1):
            ranks[order[k]] = average_rank
        i = j + 1
    rank_sum = sum(r for r, y in zip(ranks, labels) if y == 1)
    return (rank_sum - positives * (positives + 1) / 2.0) / (positives * negatives)


def accuracy(labels, probabilities, threshold=0.5):
    return sum(1 for y, p in zip(labels, probabilities) if (p >= threshold) == (y == 1)) / len(labels)


def load_json(path, what):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except FileNotFoundError:
        raise UsageError(f"{what} file '{path}' does not exist") from None
    except json.JSONDecodeError as e:
        raise UsageError(f"{what} file '{path}' is not valid JSON: {e}") from None


def write_text(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
