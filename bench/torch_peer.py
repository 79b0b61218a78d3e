#!/usr/bin/python3
"""PyTorch peer for bench/engineBench.ts: the GPT-2 forward of test/parity/hf_reference.py (HF's eager computation,
imported, run in float32 instead of the parity test's float64) trained with loss.backward() and
torch.optim.AdamW.step(), or scored under torch.no_grad(), on one thread.

Usage: torch_peer.py TASK SIZE BATCH_JSON WARMUP   (TASK: train | score | matmul; for matmul SIZE is n of n×n×n). Speaks bench/benchWorkers.ts's protocol:
after loading and SIZE's warm-up runs it prints `@@ {"ready": ...}`, then answers `run`, `rss` and `quit` on stdin.
Run with Debian's /usr/bin/python3 (python3-torch 1.13 + OpenBLAS) and OMP/OPENBLAS_NUM_THREADS=1.
"""
import json
import os
import resource
import sys
import time

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "test", "parity"))
import hf_reference as ref  # noqa: E402

# The reference reads its dtype from this module global at call time.
ref.DTYPE = torch.float32
torch.set_num_threads(1)
torch.set_num_interop_threads(1)

LR, WEIGHT_DECAY = 1e-4, 0.01


def send(message):
    sys.stdout.write("@@ " + json.dumps(message) + "\n")
    sys.stdout.flush()


def no_decay(name):
    # Our AdamW's default exclusion (src/qrpo/train/adamw.ts excludedFromWeightDecay): biases and LayerNorm weights.
    return "bias" in name or ".ln_" in name or name.startswith("ln_")


def setup_model(task, size, batch_file, warmup):
    folder = os.path.join(HERE, ".models", size)
    config, p = ref.load_model(folder)
    with open(batch_file) as f:
        batch = json.load(f)
    ids = torch.tensor(batch["input_ids"], dtype=torch.long)
    attention_mask = torch.tensor(batch["attention_mask"], dtype=torch.long)
    labels = ids[:, 1:]
    weights = torch.tensor(batch["completion_mask"], dtype=torch.float32)[:, 1:]

    def summed_logps():
        hidden, head = ref.gpt2_hidden(config, p, ids, attention_mask)
        # The head on the T−1 scored positions only, as our graphs do.
        logits = hidden[:, :-1] @ head.T
        token_logps = torch.log_softmax(logits, dim=-1).gather(2, labels[..., None])[..., 0] * weights
        return token_logps.sum(-1)

    if task == "score":
        for t in p.values():
            t.requires_grad_(False)

        def run():
            start = time.perf_counter()
            with torch.no_grad():
                logp = summed_logps()
            return {"seconds": time.perf_counter() - start, "logp": logp.tolist()}

        first = run()
        for _ in range(warmup - 1):
            run()
        return {"firstLogp": first["logp"]}, run

    targets = torch.tensor(batch["targets"], dtype=torch.float32)
    ref_logps = torch.tensor(batch["ref_logps"], dtype=torch.float32)
    beta = batch["beta"]
    groups = [
        {"params": [t for n, t in p.items() if not no_decay(n)], "weight_decay": WEIGHT_DECAY},
        {"params": [t for n, t in p.items() if no_decay(n)], "weight_decay": 0.0},
    ]
    optimizer = torch.optim.AdamW(groups, lr=LR)

    def run():
        start = time.perf_counter()
        optimizer.zero_grad(set_to_none=True)
        logp = summed_logps()
        loss = ((targets - beta * (logp - ref_logps)) ** 2).mean()
        forward_done = time.perf_counter()
        loss.backward()
        backward_done = time.perf_counter()
        optimizer.step()
        end = time.perf_counter()
        return {
            "seconds": end - start,
            "forward": forward_done - start,
            "backward": backward_done - forward_done,
            "optimizer": end - backward_done,
            "loss": loss.item(),
        }

    first = run()
    for _ in range(warmup - 1):
        run()
    return {"firstLoss": first["loss"], "parameters": sum(t.numel() for t in p.values())}, run


def setup_matmul(n):
    a = torch.sin(torch.arange(n * n, dtype=torch.float32) * 0.37 + 1).reshape(n, n)
    b = torch.sin(torch.arange(n * n, dtype=torch.float32) * 0.37 + 2).reshape(n, n)

    def run():
        start = time.perf_counter()
        torch.mm(a, b)
        return {"seconds": time.perf_counter() - start}

    for _ in range(3):
        run()
    return {}, run


def current_rss_kb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


def main():
    task, size, batch_file, warmup = sys.argv[1:5]
    info, run = setup_matmul(int(size)) if task == "matmul" else setup_model(task, size, batch_file, int(warmup))
    info["torch"] = torch.__version__
    info["threads"] = torch.get_num_threads()
    send({"ready": info})
    for line in sys.stdin:
        command = line.strip()
        if command == "run":
            # CPU time over wall time shows whether a run really used one thread.
            cpu, wall = time.process_time(), time.perf_counter()
            result = run()
            send({**result, "cpuSeconds": time.process_time() - cpu, "wallSeconds": time.perf_counter() - wall})
        elif command == "rss":
            send({"maxRssKB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "rssKB": current_rss_kb()})
        elif command == "quit":
            break


if __name__ == "__main__":
    main()
