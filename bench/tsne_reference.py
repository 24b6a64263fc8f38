"""scikit-learn's side of bench/tsne.ts, on the same .npy matrix, timed inside Python (imports and
loading excluded). Wall and CPU seconds (process_time counts every thread sklearn uses).
Usage: /usr/bin/python3 tsne_reference.py tsne IN.npy OUT.npy PERPLEXITY ITERATIONS
       /usr/bin/python3 tsne_reference.py pca IN.npy COMPONENTS
       /usr/bin/python3 tsne_reference.py trust IN.npy FIRST.npy SECOND.npy K   sklearn trustworthiness of two maps"""
import json, sys, time
import numpy as np
import sklearn

mode, path = sys.argv[1], sys.argv[2]
x = np.load(path)
if mode == "tsne":
    from sklearn.manifold import TSNE
    perplexity, iterations = float(sys.argv[4]), int(sys.argv[5])
    t0, c0 = time.perf_counter(), time.process_time()
    model = TSNE(n_components=2, perplexity=perplexity, n_iter=iterations, init="pca", learning_rate="auto",
                 method="barnes_hut", angle=0.5, random_state=0)
    y = model.fit_transform(x)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    np.save(sys.argv[3], y.astype(np.float64))
    print(json.dumps({"wall": wall, "cpu": cpu, "kl": float(model.kl_divergence_), "iterations": int(model.n_iter_) + 1, "sklearn": sklearn.__version__}))
elif mode == "pca":
    from sklearn.decomposition import PCA
    components = int(sys.argv[3])
    t0, c0 = time.perf_counter(), time.process_time()
    model = PCA(n_components=components, random_state=0)
    model.fit_transform(x)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    print(json.dumps({"wall": wall, "cpu": cpu, "solver": model._fit_svd_solver, "explained": model.explained_variance_.tolist(), "sklearn": sklearn.__version__}))
elif mode == "trust":
    from sklearn.manifold import trustworthiness
    k = int(sys.argv[5])
    first, second = (trustworthiness(x, np.load(p), n_neighbors=k) for p in sys.argv[3:5])
    print(json.dumps({"first": float(first), "second": float(second)}))
else:
    raise SystemExit(f"unknown mode {mode!r}: use tsne, pca or trust")
