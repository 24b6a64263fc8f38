#!/usr/bin/python3
"""Reference for bench/inference-gemm.ts: torch.addmm(bias, x, W) at the shape of gpt2-medium's c_fc
on a 1,728-token batch, fastest of 10. Env: M, K, N, TH (threads). Prints one JSON line."""
import json
import os
import time

import torch

M, K, N = (int(os.environ.get(k, d)) for k, d in (('M', 1728), ('K', 1024), ('N', 4096)))
torch.set_num_threads(int(os.environ.get('TH', 2)))
x, w, b = torch.randn(M, K), torch.randn(K, N), torch.randn(N)
times = []
for _ in range(10):
    t = time.perf_counter()
    torch.addmm(b, x, w)
    times.append(time.perf_counter() - t)
print(json.dumps({'seconds': min(times), 'gflops': 2 * M * K * N / min(times) / 1e9, 'threads': torch.get_num_threads()}))
