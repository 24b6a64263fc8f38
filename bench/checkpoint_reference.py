"""Reference for bench/checkpoint.ts: read every tensor of a safetensors file to float32 with
numpy (F32, F16) or torch (BF16), parsing the header by hand as the format spec says.
Prints JSON {"seconds": best of N (reading only), "values": total count, "checksum": sum of all values}.
Usage: /usr/bin/python3 bench/checkpoint_reference.py FILE [REPEATS]
"""
import json
import struct
import sys
import time

import numpy as np
import torch


def read_all(path):
    arrays = []
    with open(path, 'rb') as f:
        (n,) = struct.unpack('<Q', f.read(8))
        header = json.loads(f.read(n))
        start = 8 + n
        for name, info in header.items():
            if name == '__metadata__':
                continue
            b, e = info['data_offsets']
            f.seek(start + b)
            raw = f.read(e - b)
            if info['dtype'] == 'F32':
                a = np.frombuffer(raw, dtype='<f4')
            elif info['dtype'] == 'F16':
                a = np.frombuffer(raw, dtype='<f2').astype(np.float32)
            elif info['dtype'] == 'BF16':
                a = torch.frombuffer(bytearray(raw), dtype=torch.bfloat16).to(torch.float32).numpy()
            else:
                continue
            arrays.append(a)
    return arrays


path = sys.argv[1]
repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 3
best = float('inf')
for _ in range(repeats):
    t = time.perf_counter()
    arrays = read_all(path)
    best = min(best, time.perf_counter() - t)
# The checksum (to compare with ours) is computed outside the timed part, as in bench/checkpoint.ts.
total = sum(a.size for a in arrays)
checksum = sum(float(a.sum(dtype=np.float64)) for a in arrays)
print(json.dumps({'seconds': best, 'values': total, 'checksum': checksum}))
