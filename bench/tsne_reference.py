"""scikit-learn's t-SNE on the same matrix as bench/tsne.ts, timed inside Python (imports excluded).
Usage: /usr/bin/python3 tsne_reference.py IN.npy OUT.npy PERPLEXITY ITERATIONS"""
import json, sys, time
import numpy as np
import sklearn
from sklearn.manifold import TSNE

x = np.load(sys.argv[1])
perplexity, iterations = float(sys.argv[3]), int(sys.argv[4])
t0, c0 = time.perf_counter(), time.process_time()
model = TSNE(n_components=2, perplexity=perplexity, n_iter=iterations, init="pca", learning_rate="auto",
             method="barnes_hut", angle=0.5, random_state=0)
y = model.fit_transform(x)
wall, cpu = time.perf_counter() - t0, time.process_time() - c0
np.save(sys.argv[2], y.astype(np.float64))
print(json.dumps({"wall": wall, "cpu": cpu, "kl": float(model.kl_divergence_), "iterations": int(model.n_iter_) + 1, "sklearn": sklearn.__version__}))
