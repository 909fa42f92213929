"""Native PyTorch on Inkling's model, method, corpus and split: the bench's yardstick.

Same model (embedding 32 -> LSTM 128 -> dense), every position a target (inputs ids[i:i+T],
targets ids[i+1:i+T+1]), random rows of 64, batches of 32, Adam 0.01 (eps 1e-7), gradients
clipped to global norm 5, the last 10% of the text held out; validation bits/char on the first 4
fixed batches of the held-out part, as Inkling's estimateLoss. One thread, or TORCH_THREADS (the
bench sets OPENBLAS_NUM_THREADS to the same). Prints one JSON object on stdout.

Usage: python3 torch_reference.py TEXT_FILE SECONDS MARKS(comma-separated) [UNITS LAYERS SEQ BATCH]
"""
import json
import math
import random
import sys
import time

import torch

import os

torch.set_num_threads(int(os.environ.get("TORCH_THREADS", "1")))
torch.manual_seed(42)
random.seed(42)

path, seconds, marks = sys.argv[1], float(sys.argv[2]), [float(m) for m in sys.argv[3].split(",") if m]
units, layers, seq, batch = (int(v) for v in (sys.argv[4:8] if len(sys.argv) >= 8 else (128, 1, 64, 32)))
text = open(path, encoding="utf-8").read().replace("\r\n", "\n")
vocab = sorted(set(text))
index = {c: i for i, c in enumerate(vocab)}
ids = torch.tensor([index[c] for c in text], dtype=torch.long)
cut = len(ids) - max(1, round(len(ids) * 0.1))
train, val = ids[:cut], ids[cut:]


class CharLstm(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = torch.nn.Embedding(len(vocab), 32)
        self.lstm = torch.nn.LSTM(32, units, num_layers=layers, batch_first=True)
        self.dense = torch.nn.Linear(units, len(vocab))

    def forward(self, x):
        out, _ = self.lstm(self.embed(x))
        return self.dense(out)


def rows(source, offsets):
    x = torch.stack([source[o : o + seq] for o in offsets])
    y = torch.stack([source[o + 1 : o + seq + 1] for o in offsets])
    return x, y


model = CharLstm()
optimizer = torch.optim.Adam(model.parameters(), lr=0.01, eps=1e-7)
loss_fn = torch.nn.CrossEntropyLoss()
stride = max(1, (len(val) - seq - 1) // (4 * batch))
val_batches = [rows(val, [min(len(val) - seq - 1, (b * batch + r) * stride) for r in range(batch)]) for b in range(4)]


def val_bpc():
    with torch.no_grad():
        losses = [loss_fn(model(x).reshape(-1, len(vocab)), y.reshape(-1)).item() for x, y in val_batches]
    return sum(losses) / len(losses) / math.log(2)


step_ms, val_at, trained = [], [], 0.0
next_mark = 0
while trained < seconds * 1000 or next_mark < len(marks):
    started = time.perf_counter()
    x, y = rows(train, [random.randrange(len(train) - seq - 1) for _ in range(batch)])
    loss = loss_fn(model(x).reshape(-1, len(vocab)), y.reshape(-1))
    optimizer.zero_grad()
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 5)
    optimizer.step()
    ms = (time.perf_counter() - started) * 1000
    step_ms.append(ms)
    trained += ms
    while next_mark < len(marks) and trained >= marks[next_mark] * 1000:
        val_at.append({"mark": marks[next_mark], "bpc": val_bpc()})
        next_mark += 1

steady = sorted(step_ms[3:] or step_ms)
median = steady[len(steady) // 2]
print(json.dumps({
    "torch": torch.__version__,
    "stepMs": step_ms,
    "medianMs": median,
    "targetsPerSec": batch * seq * 1000 / median,
    "valBpcAt": {str(v["mark"]): round(v["bpc"], 3) for v in val_at},
}))
