#!/usr/bin/python3
"""numpy's side of bench/sae.ts: the same standard-SAE encode, f = relu((x - b_dec) @ W_enc + b_enc),
in float32, timed over repetitions; prints one JSON line with the median and a checksum."""
import json
import sys
import time

import numpy as np

folder, reps = sys.argv[1], int(sys.argv[2])
x = np.load(f'{folder}/x.npy')
w_enc = np.load(f'{folder}/W_enc.npy')
b_enc = np.load(f'{folder}/b_enc.npy').ravel()
b_dec = np.load(f'{folder}/b_dec.npy').ravel()
times = []
for _ in range(reps):
    t = time.perf_counter()
    f = np.maximum((x - b_dec) @ w_enc + b_enc, 0)
    times.append(time.perf_counter() - t)
print(json.dumps({'seconds': sorted(times)[(reps - 1) // 2], 'l0': int(np.count_nonzero(f)), 'sum': float(f.sum(dtype=np.float64)),
                  'threads': __import__('os').cpu_count()}))
