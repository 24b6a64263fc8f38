#!/usr/bin/python3
"""The PyTorch side of bench/families.ts: a plain batched float32 forward with Hugging Face
semantics (modeling_gpt_neox.py / modeling_llama.py, eager attention, one right-padded batch,
causal + padding mask) on a random checkpoint written by MechLens, reading the same rows.

Usage: families_torch.py CHECKPOINT_DIR WORK.json OUT.json
WORK: {"ids": [[...]], "rows": [last index per text], "hookLayer": L, "threads": N, "repeats": R}
OUT:  {"seconds": best, "cpu_seconds": best, "load_s": ..., "peak_rss_bytes": ..., "mlp_pre": rows × width}
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

folder, work_path, out_path = sys.argv[1:4]
work = json.load(open(work_path))
torch.set_num_threads(work['threads'])
cfg = json.load(open(os.path.join(folder, 'config.json')))
family = cfg['model_type']

t0 = time.perf_counter()
raw = open(os.path.join(folder, 'model.safetensors'), 'rb').read()
n = struct.unpack('<Q', raw[:8])[0]
header = json.loads(raw[8:8 + n])
w = {}
for name, info in header.items():
    if name == '__metadata__':
        continue
    a, b = info['data_offsets']
    assert info['dtype'] == 'F32'
    w[name] = torch.from_numpy(np.frombuffer(raw, dtype='<f4', count=(b - a) // 4, offset=8 + n + a).reshape(info['shape']))
load_s = time.perf_counter() - t0


def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat((-x[..., h:], x[..., :h]), dim=-1)


def rope(dim, base, T):
    inv_freq = 1.0 / (base ** (torch.arange(0, dim, 2, dtype=torch.int64).float() / dim))
    freqs = torch.arange(T).float()[:, None] * inv_freq[None, :]
    emb = torch.cat((freqs, freqs), dim=-1)
    return emb.cos(), emb.sin()  # [T, dim]


def forward(ids, lengths, hook_layer, stop_layer):
    B, T = ids.shape
    keep = torch.arange(T)[None, :] < lengths[:, None]
    mask = torch.tril(torch.ones(T, T, dtype=torch.bool))[None, None] & keep[:, None, None, :]
    bias = torch.zeros(B, 1, T, T).masked_fill(~mask, torch.finfo(torch.float32).min)
    H = cfg['num_attention_heads']
    d = cfg['hidden_size']
    if family == 'gpt_neox':
        dh = d // H
        rot = int(dh * cfg['rotary_pct'])
        cos, sin = rope(rot, cfg['rotary_emb_base'], T)
        x = w['gpt_neox.embed_in.weight'][ids]
        for l in range(stop_layer):
            p = f'gpt_neox.layers.{l}.'
            ln = lambda t, k: torch.nn.functional.layer_norm(t, (d,), w[p + k + '.weight'], w[p + k + '.bias'], cfg['layer_norm_eps'])
            lin = lambda t, k: torch.nn.functional.linear(t, w[p + k + '.weight'], w[p + k + '.bias'])
            qkv = lin(ln(x, 'input_layernorm'), 'attention.query_key_value').view(B, T, H, 3 * dh).transpose(1, 2)
            q, k, v = qkv.chunk(3, dim=-1)
            q = torch.cat([q[..., :rot] * cos + rotate_half(q[..., :rot]) * sin, q[..., rot:]], dim=-1)
            k = torch.cat([k[..., :rot] * cos + rotate_half(k[..., :rot]) * sin, k[..., rot:]], dim=-1)
            att = torch.softmax(q @ k.transpose(-1, -2) * dh ** -0.5 + bias, dim=-1)
            attn_out = lin((att @ v).transpose(1, 2).reshape(B, T, d), 'attention.dense')
            pre = lin(ln(x, 'post_attention_layernorm'), 'mlp.dense_h_to_4h')
            if l == hook_layer:
                hooked = pre
            x = lin(torch.nn.functional.gelu(pre), 'mlp.dense_4h_to_h') + attn_out + x
        return hooked, x
    kv = cfg['num_key_value_heads']
    dh = cfg.get('head_dim') or d // H
    cos, sin = rope(dh, cfg['rope_theta'], T)
    eps = cfg['rms_norm_eps']

    def rms(t, weight):
        return weight * (t * torch.rsqrt(t.pow(2).mean(-1, keepdim=True) + eps))
    x = w['model.embed_tokens.weight'][ids]
    for l in range(stop_layer):
        p = f'model.layers.{l}.'
        lin = lambda t, k: torch.nn.functional.linear(t, w[p + k + '.weight'])
        h = rms(x, w[p + 'input_layernorm.weight'])
        q = lin(h, 'self_attn.q_proj').view(B, T, H, dh).transpose(1, 2)
        k = lin(h, 'self_attn.k_proj').view(B, T, kv, dh).transpose(1, 2)
        v = lin(h, 'self_attn.v_proj').view(B, T, kv, dh).transpose(1, 2)
        q, k = q * cos + rotate_half(q) * sin, k * cos + rotate_half(k) * sin
        k = k[:, :, None].expand(B, kv, H // kv, T, dh).reshape(B, H, T, dh)  # repeat_kv
        v = v[:, :, None].expand(B, kv, H // kv, T, dh).reshape(B, H, T, dh)
        att = torch.softmax(q @ k.transpose(-1, -2) * dh ** -0.5 + bias, dim=-1)
        x = x + lin((att @ v).transpose(1, 2).reshape(B, T, H * dh), 'self_attn.o_proj')
        h = rms(x, w[p + 'post_attention_layernorm.weight'])
        gate = lin(h, 'mlp.gate_proj')
        if l == hook_layer:
            hooked = gate
        x = x + lin(torch.nn.functional.silu(gate) * lin(h, 'mlp.up_proj'), 'mlp.down_proj')
    return hooked, x


ids_list, rows = work['ids'], work['rows']
T = max(len(r) for r in ids_list)
ids = torch.tensor([r + [0] * (T - len(r)) for r in ids_list])
lengths = torch.tensor([len(r) for r in ids_list])
best = best_cpu = math.inf
with torch.no_grad():
    for _ in range(work['repeats']):
        t, c = time.perf_counter(), time.process_time()
        hooked, _ = forward(ids, lengths, work['hookLayer'], cfg['num_hidden_layers'])
        best = min(best, time.perf_counter() - t)
        best_cpu = min(best_cpu, time.process_time() - c)
    picked = hooked[torch.arange(len(rows)), torch.tensor(rows)]
json.dump({'seconds': best, 'cpu_seconds': best_cpu, 'load_s': load_s, 'torch': torch.__version__, 'threads': torch.get_num_threads(),
           'peak_rss_bytes': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024, 'mlp_pre': picked.tolist()}, open(out_path, 'w'))
