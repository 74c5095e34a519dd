// "Export PyTorch script": a standalone train.py (torch + numpy only) that runs the same experiment — the same
// run grid with each run's model spec built through nn.Sequential, the same data loading and standardization,
// hyperparameters, schedule and evaluation — and writes results.json in NormLab's schema. It is the way to run
// an experiment at full scale on a GPU, and to check NormLab's numbers against PyTorch's.
import { expandGrid, trainConfigFor } from './grid';
import { RESULTS_FORMAT, RESULTS_VERSION, type DataSource, type ExperimentConfig } from './types';

export interface ExportOptions {
  /** The path train.py reads a data source from (the bundled subset's real path, a workspace file's path). */
  pathOf(source: DataSource): { images: string; labels?: string };
  /** A description of the data for results.json, e.g. "Fashion-MNIST subset (bundled)". */
  dataName: string;
}

/** The text of train.py for `config`. Validates the config first (the same errors as a run). */
export function torchScript(config: ExperimentConfig, opts: ExportOptions): string {
  const runs = expandGrid(config).map((r) => {
    const t = trainConfigFor(config, r);
    return {
      index: r.index, label: r.label, method: r.method, groups: r.groups, channels_per_group: r.channelsPerGroup,
      batch_size: r.batchSize, seed: r.seed, lr: r.lr, momentum: t.momentum, weight_decay: t.weightDecay,
      nesterov: t.nesterov, model: r.model,
    };
  });
  const source = (s: DataSource | null) => {
    if (!s) return null;
    const p = opts.pathOf(s);
    return s.kind === 'idx' ? { kind: 'idx', images: p.images, labels: p.labels } : { kind: 'npz', path: p.images };
  };
  const experiment = {
    format: RESULTS_FORMAT, version: RESULTS_VERSION, preset: config.preset, config, data_name: opts.dataName,
    train: source(config.data.train), val: source(config.data.val),
    train_size: config.trainSize, val_size: config.valSize, epochs: config.epochs,
    schedule: config.schedule, warmup_epochs: config.warmupEpochs, runs,
  };
  return TEMPLATE.replace('@EXPERIMENT@', JSON.stringify(experiment, null, 1));
}

// Kept in step with src/nn (data loading, schedules, evaluation): the exported-script test runs it with torch.
const TEMPLATE = String.raw`#!/usr/bin/env python3
"""A NormLab experiment as a standalone PyTorch script (torch + numpy only).

Runs every run of the experiment below and writes results.json (NormLab's schema: open it in NormLab's
Experiments panel to compare) and results.csv into --out.

    python3 train.py [--out DIR] [--device cpu|cuda] [--runs 0,3,5]

Each run builds its model from the spec exactly as NormLab does:
    nn.Sequential(*[getattr(nn, name)(**kwargs) for name, kwargs in spec["layers"]])
Data: an .npz with x (N,C,H,W) or (N,H,W) and integer y, or an IDX image/label pair (.gz or not). The first
train_size training samples are used; validation takes the first val_size samples of the validation data, or
the last val_size of the training data when there is none. uint8 images are scaled to [0, 1] and standardized
with the mean and std of the training samples used; float data is used as given.
Training: SGD (momentum, weight decay, nesterov as configured), cross-entropy (mean over the batch), samples
shuffled each epoch from the run's seed, the last partial batch kept (unless it holds one sample), learning rate per step from the schedule.
Errors: training error counted on each step's batch before its update; validation error in eval mode.
"""
import argparse
import csv
import gzip
import json
import math
import os
import struct
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

EXPERIMENT = json.loads(r"""@EXPERIMENT@""")


def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        raw = f.read()
    zero, dtype_code, ndim = struct.unpack(">HBB", raw[:4])
    if zero != 0 or dtype_code != 0x08:
        raise SystemExit(f"{path}: expected an IDX file of unsigned bytes")
    shape = struct.unpack(">" + "I" * ndim, raw[4:4 + 4 * ndim])
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


def load_source(src):
    if src["kind"] == "idx":
        return read_idx(src["images"]), read_idx(src["labels"]).astype(np.int64)
    with np.load(src["path"]) as z:
        return z["x"], z["y"].astype(np.int64)


def load_data():
    x, y = load_source(EXPERIMENT["train"])
    n_train, n_val = EXPERIMENT["train_size"], EXPERIMENT["val_size"]
    if EXPERIMENT["val"] is None:
        xv, yv = x[len(x) - n_val:], y[len(y) - n_val:]
        x, y = x[:len(x) - n_val], y[:len(y) - n_val]
    else:
        xv, yv = load_source(EXPERIMENT["val"])
        xv, yv = xv[:n_val], yv[:n_val]
    x, y = x[:n_train], y[:n_train]
    if x.ndim == 3:
        x, xv = x[:, None], xv[:, None]
    standardized = None
    if x.dtype == np.uint8:
        x = x.astype(np.float64) / 255.0
        xv = xv.astype(np.float64) / 255.0
        mean, std = float(x.mean()), float(x.std())
        x, xv = (x - mean) / std, (xv - mean) / std
        standardized = {"mean": mean, "std": std}
    x, xv = torch.tensor(x, dtype=torch.float32), torch.tensor(xv, dtype=torch.float32)
    description = {"name": EXPERIMENT["data_name"], "trainSize": len(x), "valSize": len(xv), "standardized": standardized}
    return (x, torch.tensor(y)), (xv, torch.tensor(yv)), description


def lr_at(base, step, steps_per_epoch):
    """The learning rate of a 0-based step: a linear warm-up factor (step+1)/warm-up steps times the schedule
    (constant; cosine to 0 over the steps after warm-up; x0.1 at each milestone epoch)."""
    total = EXPERIMENT["epochs"] * steps_per_epoch
    warm = min(total, round(EXPERIMENT["warmup_epochs"] * steps_per_epoch))
    factor = (step + 1) / warm if step < warm else 1.0
    schedule = EXPERIMENT["schedule"]
    if schedule["kind"] == "cosine":
        t = 0.0 if step < warm or total <= warm else (step - warm) / (total - warm)
        return factor * base * 0.5 * (1 + math.cos(math.pi * t))
    if schedule["kind"] == "step":
        epoch = step // steps_per_epoch
        return factor * base * 0.1 ** sum(1 for m in schedule["milestones"] if m <= epoch)
    return factor * base


def evaluate(model, data, device, batch=1000):
    x, y = data
    model.eval()
    loss, wrong = 0.0, 0
    with torch.no_grad():
        for i in range(0, len(x), batch):
            xb, yb = x[i:i + batch].to(device), y[i:i + batch].to(device)
            out = model(xb)
            loss += F.cross_entropy(out, yb, reduction="sum").item()
            wrong += (out.argmax(1) != yb).sum().item()
    model.train()
    return loss / len(x), wrong / len(x)


def train_run(run, train, val, device, report):
    torch.manual_seed(run["seed"])
    model = nn.Sequential(*[getattr(nn, name)(**kwargs) for name, kwargs in run["model"]["layers"]]).to(device)
    opt = torch.optim.SGD(model.parameters(), lr=run["lr"], momentum=run["momentum"],
                          weight_decay=run["weight_decay"], nesterov=run["nesterov"])
    x, y = train
    batch = run["batch_size"]
    # DataLoader(shuffle=True, drop_last=False), except that a last batch of one sample is dropped (as NormLab
    # does): BatchNorm cannot train on one sample.
    steps_per_epoch = math.ceil(len(x) / batch) - (1 if len(x) % batch == 1 and len(x) > 1 else 0)
    rng = np.random.default_rng(run["seed"])
    epochs, step, started = [], 0, time.perf_counter()
    for epoch in range(1, EXPERIMENT["epochs"] + 1):
        t0 = time.perf_counter()
        order = torch.from_numpy(rng.permutation(len(x)))
        loss_sum, wrong, seen = 0.0, 0, 0
        for s in range(steps_per_epoch):
            idx = order[s * batch:(s + 1) * batch]
            xb, yb = x[idx].to(device), y[idx].to(device)
            for g in opt.param_groups:
                g["lr"] = lr_at(run["lr"], step, steps_per_epoch)
            out = model(xb)
            loss = F.cross_entropy(out, yb)
            if not math.isfinite(loss.item()):
                raise FloatingPointError(f"the loss became {loss.item()} at step {step + 1}")
            opt.zero_grad()
            loss.backward()
            opt.step()
            loss_sum += loss.item() * len(idx)
            wrong += (out.argmax(1) != yb).sum().item()
            seen += len(idx)
            step += 1
        seconds = time.perf_counter() - t0
        val_loss, val_error = evaluate(model, val, device) if len(val[0]) else (None, None)
        epochs.append({"epoch": epoch, "train_loss": loss_sum / seen, "train_error": wrong / seen,
                       "val_loss": val_loss, "val_error": val_error, "seconds": seconds})
        report(epochs[-1])
    return epochs, time.perf_counter() - started


def write_results(out, results):
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "results.json"), "w") as f:
        json.dump(results, f, indent=2)
    columns = ["run", "label", "method", "groups", "channels_per_group", "batch_size", "seed", "lr", "status",
               "epoch", "train_loss", "train_error", "val_loss", "val_error", "epoch_seconds"]
    with open(os.path.join(out, "results.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(columns)
        for r in results["runs"]:
            head = [r["index"], r["label"], r["method"], r["groups"], r["channels_per_group"], r["batch_size"],
                    r["seed"], r["lr"], r["status"]]
            for e in r["epochs"] or [None]:
                tail = [e["epoch"], e["train_loss"], e["train_error"], e["val_loss"], e["val_error"], e["seconds"]] if e else [""] * 6
                w.writerow(["" if v is None else v for v in head + tail])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="results", help="folder for results.json and results.csv")
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--runs", default="", help="comma-separated run indices (default: all)")
    args = ap.parse_args()
    train, val, description = load_data()
    wanted = {int(i) for i in args.runs.split(",") if i.strip()}
    results = {"format": EXPERIMENT["format"], "version": EXPERIMENT["version"], "engine": f"pytorch {torch.__version__}",
               "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "preset": EXPERIMENT["preset"],
               "config": EXPERIMENT["config"], "model": EXPERIMENT["config"]["model"], "data": description, "runs": []}
    for run in EXPERIMENT["runs"]:
        if wanted and run["index"] not in wanted:
            continue
        record = {k: run[k] for k in ("index", "label", "method", "groups", "channels_per_group", "batch_size", "seed", "lr")}
        record.update(status="running", epochs=[], seconds=0.0)
        results["runs"].append(record)

        def report(e, label=run["label"]):
            val = "" if e["val_error"] is None else f", val error {100 * e['val_error']:.2f}%"
            print(f"{label}: epoch {e['epoch']}/{EXPERIMENT['epochs']}: train loss {e['train_loss']:.4f}{val}", flush=True)

        try:
            record["epochs"], record["seconds"] = train_run(run, train, val, args.device, report)
            record["status"] = "done"
        except FloatingPointError as e:
            record.update(status="failed", error=str(e))
        write_results(args.out, results)
    write_results(args.out, results)
    print(f"wrote {os.path.join(args.out, 'results.json')}")


if __name__ == "__main__":
    main()
`;
