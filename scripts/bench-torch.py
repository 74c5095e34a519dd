"""PyTorch on the benchmark's shapes, for comparing with `npm run bench` in the same minutes on the same machine.

    apt-get install -y python3-torch && /usr/bin/python3 scripts/bench-torch.py [--json] [--shape A,E] [--reps 50]

Same shapes, affine parameters and byte rule (8 bytes per element) as bench/shapes.ts and bench/run.ts; times are
medians of samples lasting at least 5 ms, for 1 and 2 threads (torch.set_num_threads). NormLab never needs this:
it is a yardstick only.
"""
import argparse, json, statistics, time

import torch
import torch.nn.functional as F

SHAPES = {
    "A": ("group", (32, 64, 56, 56), 32),
    "B": ("batch", (8, 256, 28, 28), None),
    "C": ("layer", (16, 1024, 768), None),
    "D": ("instance", (1, 64, 512, 512), None),
    "E": ("group", (256, 3, 32, 32), 1),
}


def call(method, dims, groups):
    torch.manual_seed(0)
    x = torch.randn(*dims) * 2 + 0.5
    c = dims[-1] if method == "layer" else dims[1]
    w, b = torch.randn(c) * 0.2 + 1, torch.randn(c) * 0.2
    rm, rv = torch.randn(c) * 0.1, torch.rand(c) * 0.2 + 0.9
    if method == "group":
        return lambda: F.group_norm(x, groups, w, b, 1e-5)
    if method == "batch":
        return lambda: F.batch_norm(x, rm, rv, w, b, True, 0.1, 1e-5)
    if method == "layer":
        return lambda: F.layer_norm(x, (dims[-1],), w, b, 1e-5)
    return lambda: F.instance_norm(x, eps=1e-5)


def median_ms(f, reps):
    w = []
    for _ in range(3):
        a = time.perf_counter(); f(); w.append(time.perf_counter() - a)
    calls = max(1, min(100, int(0.005 / max(1e-6, statistics.median(w))) + 1))
    t = []
    for _ in range(reps):
        a = time.perf_counter()
        for _ in range(calls):
            f()
        t.append((time.perf_counter() - a) / calls)
    return statistics.median(t) * 1e3


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--shape", default=",".join(SHAPES))
    ap.add_argument("--reps", type=int, default=11)
    args = ap.parse_args()
    rows = []
    for key in args.shape.upper().split(","):
        method, dims, groups = SHAPES[key]
        f = call(method, dims, groups)
        numel = 1
        for d in dims:
            numel *= d
        for threads in (1, 2):
            torch.set_num_threads(threads)
            ms = median_ms(f, args.reps)
            rows.append({"shape": key, "method": method, "dims": list(dims), "threads": threads,
                         "ms": round(ms, 3), "gbps": round(numel * 8 / (ms * 1e6), 3)})
    if args.json:
        print(json.dumps({"torch": torch.__version__, "results": rows}))
    else:
        print(f"PyTorch {torch.__version__}")
        for r in rows:
            print(f"{r['shape']}  {r['method']:<9} threads {r['threads']}  {r['ms']:9.3f} ms  {r['gbps']:6.2f} GB/s")


if __name__ == "__main__":
    main()
