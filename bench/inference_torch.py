#!/usr/bin/python3
"""Reference for bench/inference.ts: a plain PyTorch GPT-2 forward with Hugging Face GPT2Model
semantics (Conv1D x @ W + b, eager causal attention masked for padding, gelu_new, LayerNorm eps
from config), run on the same random checkpoint and the same token ids as MechLens.

Usage: /usr/bin/python3 bench/inference_torch.py CHECKPOINT_DIR WORKLOAD.json OUT.json
       /usr/bin/python3 bench/inference_torch.py --serve CHECKPOINT_DIR   (see serve())
WORKLOAD.json: {"ids": [[...], ...], "hookLayer": 5, "hooks": ["hook_q", "hook_k"] | ["mlp_pre"], "threads": 2, "repeats": 3}
Writes timings (s), peak RSS (bytes) and the hooked activations at the last token of each input.
"""
import json
import math
import os
import resource
import struct
import sys
import time

import numpy as np
import torch


def read_safetensors(path):
    """Each tensor read once into memory torch owns (no mmap), as from_pretrained ends up with."""
    out = {}
    with open(path, 'rb') as f:
        n = struct.unpack('<Q', f.read(8))[0]
        header = json.loads(f.read(n))
        for name, info in header.items():
            if name == '__metadata__':
                continue
            a, b = info['data_offsets']
            f.seek(8 + n + a)
            dtype = {'F32': np.float32, 'F16': np.float16}[info['dtype']]
            arr = np.frombuffer(bytearray(f.read(b - a)), dtype=dtype).reshape(info['shape'])
            key = name[len('transformer.'):] if name.startswith('transformer.') else name
            out[key] = torch.from_numpy(arr if arr.dtype == np.float32 else arr.astype(np.float32))
    return out


def gelu_new(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


def forward(w, cfg, ids, mask, n_layers, capture_layer, capture):
    """GPT2Model.forward (eager attention) over n_layers blocks; returns the captured tensors of capture_layer."""
    B, T = ids.shape
    d, H = cfg['n_embd'], cfg['n_head']
    dh, eps = d // H, cfg['layer_norm_epsilon']
    x = w['wte.weight'][ids] + w['wpe.weight'][torch.arange(T)]
    causal = torch.tril(torch.ones(T, T, dtype=torch.bool)).view(1, 1, T, T)
    additive = (1.0 - mask[:, None, None, :].to(x.dtype)) * torch.finfo(x.dtype).min
    mask_value = torch.finfo(x.dtype).min
    got = {}
    for l in range(n_layers):
        p = f'h.{l}.'
        h = torch.nn.functional.layer_norm(x, (d,), w[p + 'ln_1.weight'], w[p + 'ln_1.bias'], eps)
        qkv = torch.addmm(w[p + 'attn.c_attn.bias'], h.view(-1, d), w[p + 'attn.c_attn.weight']).view(B, T, 3 * d)
        q, k, v = qkv.split(d, dim=2)
        if l == capture_layer:
            got['hook_q'], got['hook_k'] = q, k
        qh, kh, vh = (z.view(B, T, H, dh).permute(0, 2, 1, 3) for z in (q, k, v))
        att = torch.matmul(qh, kh.transpose(-1, -2)) / torch.full([], dh ** 0.5)
        att = torch.where(causal, att, torch.full([], mask_value)) + additive
        att = torch.softmax(att, dim=-1)
        z = torch.matmul(att, vh).permute(0, 2, 1, 3).reshape(B, T, d)
        x = x + torch.addmm(w[p + 'attn.c_proj.bias'], z.view(-1, d), w[p + 'attn.c_proj.weight']).view(B, T, d)
        h = torch.nn.functional.layer_norm(x, (d,), w[p + 'ln_2.weight'], w[p + 'ln_2.bias'], eps)
        pre = torch.addmm(w[p + 'mlp.c_fc.bias'], h.view(-1, d), w[p + 'mlp.c_fc.weight']).view(B, T, -1)
        if l == capture_layer:
            got['mlp_pre'] = pre
        x = x + torch.addmm(w[p + 'mlp.c_proj.bias'], gelu_new(pre).view(B * T, -1), w[p + 'mlp.c_proj.weight']).view(B, T, d)
    x = torch.nn.functional.layer_norm(x, (d,), w['ln_f.weight'], w['ln_f.bias'], eps)
    return {k: got[k] for k in capture}


def batch(seqs):
    T = max(len(s) for s in seqs)
    ids = torch.full((len(seqs), T), 50256, dtype=torch.long)
    mask = torch.zeros((len(seqs), T), dtype=torch.long)
    for i, s in enumerate(seqs):
        ids[i, :len(s)] = torch.tensor(s)
        mask[i, :len(s)] = 1
    return ids, mask


def main():
    ckpt, workload_path, out_path = sys.argv[1:4]
    work = json.load(open(workload_path))
    torch.set_num_threads(work.get('threads', 2))
    cfg = json.load(open(os.path.join(ckpt, 'config.json')))
    t0 = time.perf_counter()
    w = read_safetensors(os.path.join(ckpt, 'model.safetensors'))
    load_s = time.perf_counter() - t0
    seqs, L, capture = work['ids'], work['hookLayer'], work['hooks']
    ids, mask = batch(seqs)
    last = torch.tensor([len(s) - 1 for s in seqs])
    results = {'load_s': load_s, 'torch': torch.__version__, 'threads': torch.get_num_threads()}
    with torch.inference_mode():
        variants = [('full_batched', cfg['n_layer'], False), ('layers0_5_batched', L + 1, False)]
        if work.get('perInput', True):
            variants.append(('full_per_input', cfg['n_layer'], True))
        for name, n_layers, per_input in variants:
            times = []
            for _ in range(work.get('repeats', 3) if not per_input else 1):
                t = time.perf_counter()
                if per_input:
                    outs = [forward(w, cfg, *batch([s]), n_layers, L, capture) for s in seqs]
                else:
                    outs = forward(w, cfg, ids, mask, n_layers, L, capture)
                times.append(time.perf_counter() - t)
            results[name] = {'seconds': min(times), 'all': times}  # fastest repeat: other processes only add time
            if name == 'full_batched':
                results['activations'] = {k: v[torch.arange(len(seqs)), last].numpy().tolist() for k, v in outs.items()}
    results['peak_rss_bytes'] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    json.dump(results, open(out_path, 'w'))


def serve():
    """Interleaved mode (bench/inference-interleaved.ts): load once, then one forward per request.
    stdin lines: {"layers": N} -> stdout line {"seconds": wall, "cpu": process CPU seconds}.
    The workload may name "positions", one token index per text to read (default: the last).
    The first line of stdin is the workload, as in main(); "ready" is printed once the weights are in."""
    ckpt = sys.argv[2]
    work = json.loads(sys.stdin.readline())
    torch.set_num_threads(work.get('threads', 2))
    cfg = json.load(open(os.path.join(ckpt, 'config.json')))
    w = read_safetensors(os.path.join(ckpt, 'model.safetensors'))
    seqs, L, capture = work['ids'], work['hookLayer'], work['hooks']
    ids, mask = batch(seqs)
    # The positions read (default: each text's last token); the forward always runs whole texts.
    last = torch.tensor(work.get('positions') or [len(s) - 1 for s in seqs])
    print(json.dumps({'ready': True, 'torch': torch.__version__, 'threads': torch.get_num_threads()}), flush=True)
    with torch.inference_mode():
        for line in sys.stdin:
            req = json.loads(line)
            n_layers = cfg['n_layer'] if req['layers'] == 'all' else int(req['layers'])
            t, c = time.perf_counter(), time.process_time()
            outs = forward(w, cfg, ids, mask, n_layers, L, capture)
            reply = {'seconds': time.perf_counter() - t, 'cpu': time.process_time() - c,
                     'peak_rss_bytes': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}
            if req.get('activations'):
                reply['activations'] = {k: v[torch.arange(len(seqs)), last].numpy().tolist() for k, v in outs.items()}
            print(json.dumps(reply), flush=True)


if __name__ == '__main__':
    serve() if sys.argv[1] == '--serve' else main()
