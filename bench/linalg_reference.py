"""References for bench/linalg.ts, timed inside Python (imports and file reading excluded), one JSON
line on stdout. Debian's python3 (numpy 1.24, scikit-learn 1.2, torch):
  /usr/bin/python3 bench/linalg_reference.py cosine FILE.npy      numpy: rows / norms, then u @ u.T
  /usr/bin/python3 bench/linalg_reference.py pca FILE.npy K        sklearn PCA(K).fit_transform
  /usr/bin/python3 bench/linalg_reference.py knn FILE.npy K        sklearn NearestNeighbors(K, brute).fit(x).kneighbors()
  /usr/bin/python3 bench/linalg_reference.py widen N              numpy float16 -> astype(float32), torch bfloat16 -> .float()
  /usr/bin/python3 bench/linalg_reference.py matmul M N K          numpy float32 A @ B.T
"""
import json
import sys
import time

import numpy as np

what = sys.argv[1]
out = {}
if what == "cosine":
    x = np.load(sys.argv[2])
    t, c = time.perf_counter(), time.process_time()
    u = x / np.linalg.norm(x, axis=1, keepdims=True)
    s = u @ u.T
    out["wall"], out["cpu"] = time.perf_counter() - t, time.process_time() - c
    out["dtype"] = str(s.dtype)
elif what == "pca":
    from sklearn.decomposition import PCA
    x = np.load(sys.argv[2])
    t, c = time.perf_counter(), time.process_time()
    p = PCA(int(sys.argv[3]), random_state=0)
    y = p.fit_transform(x)
    out["wall"], out["cpu"] = time.perf_counter() - t, time.process_time() - c
    out["solver"] = p._fit_svd_solver
    out["ratio"] = p.explained_variance_ratio_.tolist()
elif what == "knn":
    from sklearn.neighbors import NearestNeighbors
    x = np.load(sys.argv[2])
    t, c = time.perf_counter(), time.process_time()
    d, i = NearestNeighbors(n_neighbors=int(sys.argv[3]), algorithm="brute").fit(x).kneighbors()
    out["wall"], out["cpu"] = time.perf_counter() - t, time.process_time() - c
    out["first"] = i[0].tolist()
elif what == "widen":
    import torch
    n = int(sys.argv[2])
    bits = (np.arange(n, dtype=np.uint64) * 2654435761 >> 16).astype(np.uint16)
    h = bits.view(np.float16)
    t, c = time.perf_counter(), time.process_time()
    h.astype(np.float32)
    out["numpyF16"], out["numpyF16Cpu"] = time.perf_counter() - t, time.process_time() - c
    b = torch.from_numpy(bits.view(np.int16)).view(torch.bfloat16)
    t, c = time.perf_counter(), time.process_time()
    b.float()
    out["torchBf16"], out["torchBf16Cpu"] = time.perf_counter() - t, time.process_time() - c
    th = torch.from_numpy(h)
    t, c = time.perf_counter(), time.process_time()
    th.float()
    out["torchF16"], out["torchF16Cpu"] = time.perf_counter() - t, time.process_time() - c
elif what == "matmul":
    m, n, k = (int(v) for v in sys.argv[2:5])
    rng = np.random.default_rng(0)
    a = rng.random((m, k), dtype=np.float32)
    b = rng.random((n, k), dtype=np.float32)
    a @ b.T
    t, c = time.perf_counter(), time.process_time()
    a @ b.T
    out["wall"], out["cpu"] = time.perf_counter() - t, time.process_time() - c
else:
    raise SystemExit(f"unknown reference {what}")
print(json.dumps(out))
