// "Copy as Python" for the logit-attribution panel: a script that loads the model with torch and
// transformers, hooks the modules whose outputs are added to the residual stream (Gemma: the post-
// norms), the output projections' inputs (z) and the final norm's input, recomputes every component
// and head by the same definition, with no TransformerLens, compares them with the panel's numbers,
// and redraws the card's chart.
import type { AttributionResult } from '../protocol/result';
import { pyComment, pyLiteral, pyMatrix, pyStr, type ScriptParts } from './python-script';

export const attributionCards = ['attribution-waterfall', 'attribution-layers', 'attribution-heads'] as const;

const COMPUTE = `import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

tok = AutoTokenizer.from_pretrained(MODEL)
model = AutoModelForCausalLM.from_pretrained(MODEL, torch_dtype=torch.float32, attn_implementation="eager").eval()
cfg = model.config
family = cfg.model_type
gemma = family.startswith("gemma")
layer_norm = family in ("gpt2", "gpt_neox")
base = model.base_model
blocks = base.h if family == "gpt2" else base.layers
final_norm = base.ln_f if family == "gpt2" else base.final_layer_norm if family == "gpt_neox" else base.norm


def one_token(word):
    ids = tok(" " + word.strip(), add_special_tokens=False)["input_ids"]
    assert len(ids) == 1, f"{word!r} is {len(ids)} tokens: {tok.convert_ids_to_tokens(ids)}"
    return ids[0]


def attention(b):
    return b.attn if family == "gpt2" else b.attention if family == "gpt_neox" else b.self_attn


def out_proj(b):
    a = attention(b)
    return a.c_proj if family == "gpt2" else a.dense if family == "gpt_neox" else a.o_proj


def eps_of(norm):
    return getattr(norm, "eps", None) or getattr(norm, "variance_epsilon")


captured = {}


def save(name, pre=False):
    def hook(module, args, output=None):
        x = args[0] if pre else (output[0] if isinstance(output, tuple) else output)
        captured[name] = x[0, -1].detach().double()
    return hook


# What each block adds to the residual stream (Gemma: after its post-norms), each layer's z (the
# output projection's input), Gemma-2's post-attention norm input (its scale), and the final residual.
for l, b in enumerate(blocks):
    (b.post_attention_layernorm if gemma else attention(b)).register_forward_hook(save(f"attn{l}"))
    (b.post_feedforward_layernorm if gemma else b.mlp).register_forward_hook(save(f"mlp{l}"))
    out_proj(b).register_forward_pre_hook(save(f"z{l}", True))
    if gemma:
        b.post_attention_layernorm.register_forward_pre_hook(save(f"o{l}", True))
final_norm.register_forward_pre_hook(save("resid", True))

W_U = model.get_output_embeddings().weight.detach().double()
target = one_token(TARGET)
contrast = one_token(CONTRAST) if CONTRAST else None
u = W_U[target] - (W_U[contrast] if contrast is not None else 0)
gamma = final_norm.weight.detach().double() + (1.0 if gemma else 0.0)
beta = final_norm.bias.detach().double() if getattr(final_norm, "bias", None) is not None else torch.zeros_like(gamma)
H = cfg.num_attention_heads
numbers = {"texts": []}
for index, text in enumerate(TEXTS):
    ids = tok(text, return_tensors="pt")["input_ids"]
    with torch.no_grad():
        logits = model(ids).logits[0, -1].double()
        embeds = model.get_input_embeddings()(ids)
        if gemma:  # Gemma scales the embeddings by sqrt(hidden_size), in the model's dtype
            embeds = embeds * torch.tensor(cfg.hidden_size ** 0.5, dtype=embeds.dtype)
    resid = captured["resid"]
    scale = ((resid - resid.mean()).pow(2).mean() + eps_of(final_norm)).sqrt() if layer_norm else (resid.pow(2).mean() + eps_of(final_norm)).sqrt()

    def value(c):
        c = c - c.mean() if layer_norm else c
        return float((c / scale) @ (gamma * u))

    parts = {"embed": embeds[0, -1].double()}
    if family == "gpt2":
        parts["pos_embed"] = base.wpe.weight[ids.shape[1] - 1].detach().double()
    heads = []
    for l, b in enumerate(blocks):
        parts[f"blocks.{l}.attn"], parts[f"blocks.{l}.mlp"] = captured[f"attn{l}"], captured[f"mlp{l}"]
        z, W = captured[f"z{l}"], out_proj(b).weight.detach().double()
        dh = z.shape[0] // H
        row = []
        for h in range(H):
            s = slice(h * dh, (h + 1) * dh)
            out = z[s] @ W[s, :] if family == "gpt2" else W[:, s] @ z[s]  # Conv1D [in, out]; Linear [out, in]
            if gemma:  # through the post-attention RMSNorm at this position's scale
                norm = b.post_attention_layernorm
                out = out / (captured[f"o{l}"].pow(2).mean() + eps_of(norm)).sqrt() * (1.0 + norm.weight.detach().double())
            row.append(value(out))
        heads.append(row)
    components = [value(parts[name]) for name in NAMES]
    constant = float(beta @ u)
    normed = (resid - resid.mean() if layer_norm else resid) / scale * gamma + beta
    pre = normed @ W_U.T
    softcap = getattr(cfg, "final_logit_softcapping", None)
    post = softcap * torch.tanh(pre / softcap) if softcap else pre
    diff = float(pre[target] - (pre[contrast] if contrast is not None else 0))
    numbers["texts"].append({
        "text": text, "logitDiff": diff, "constant": constant, "sum": sum(components) + constant, "components": dict(zip(NAMES, components)), "heads": heads,
        "residualCheck": float((sum(parts.values()) - resid).abs().max()),
        "modelLogitCheck": float((post[[target] + ([contrast] if contrast is not None else [])] - logits[[target] + ([contrast] if contrast is not None else [])]).abs().max()),
        "maxDifferenceFromPanel": max(float(np.abs(np.array(components) - PANEL_COMPONENTS[index]).max()),
                                      float(np.abs(np.array(heads) - PANEL_HEADS[index].reshape(len(heads), H)).max())),
    })
first = numbers["texts"][0]`;

const PLOTS: Record<(typeof attributionCards)[number], string> = {
  'attribution-waterfall': `values = [first["components"][n] for n in NAMES] + [first["constant"]]
labels = NAMES + ["constant"]
starts = np.concatenate([[0.0], np.cumsum(values)[:-1]])
colors = ["tab:blue" if ".attn" in n else "tab:orange" if ".mlp" in n else "tab:green" if "embed" in n else "gray" for n in labels]
fig, ax = plt.subplots(figsize=(max(6, len(labels) * 0.35), 5))
ax.bar(range(len(values)), values, bottom=starts, color=colors)
ax.bar([len(values)], [first["logitDiff"]], color="black")
ax.axhline(0, color="gray", lw=0.5)
ax.set_xticks(range(len(values) + 1), labels + ["total"], rotation=60, ha="right")
ax.set_ylabel(QUANTITY)
ax.set_title(f"Direct logit attribution: {QUANTITY} = {first['logitDiff']:.4f}")
fig.tight_layout()`,
  'attribution-layers': `L = len(first["heads"])
fig, ax = plt.subplots(figsize=(7, 4))
ax.plot(range(L), [first["components"][f"blocks.{l}.attn"] for l in range(L)], marker="o", label="attention")
ax.plot(range(L), [first["components"][f"blocks.{l}.mlp"] for l in range(L)], marker="o", label="MLP")
ax.axhline(0, color="gray", lw=0.5)
ax.set_xlabel("layer")
ax.set_ylabel(f"direct effect on {QUANTITY}")
ax.legend()`,
  'attribution-heads': `heads = np.array(first["heads"])
m = np.abs(heads).max() or 1.0
fig, ax = plt.subplots(figsize=(max(4, heads.shape[1] * 0.5), max(3, heads.shape[0] * 0.4)))
im = ax.imshow(heads, cmap="RdBu", vmin=-m, vmax=m)
ax.set_xlabel("head")
ax.set_ylabel("layer")
ax.set_title(f"Per-head direct effect on {QUANTITY}")
fig.colorbar(im, ax=ax)`,
};

export function attributionScript(result: AttributionResult, name: string): ScriptParts | undefined {
  const plot = PLOTS[name as (typeof attributionCards)[number]];
  if (!plot) return undefined;
  const names = result.texts[0]?.components.map((c) => c.name) ?? [];
  const quantity = result.contrast ? `logit(${result.target.token}) - logit(${result.contrast.token})` : `logit(${result.target.token})`;
  return {
    title: `${result.title} (${name})`,
    about: [
      'Recomputes the direct logit attribution with torch and transformers (no TransformerLens): module hooks read what each',
      'block adds to the residual stream, each layer\'s z and the final norm\'s input; each part c contributes',
      '((c - mean c) / scale) . (gamma * u) (RMSNorm: no centring; Gemma: 1 + w). Needs torch, transformers, matplotlib.',
      'maxDifferenceFromPanel compares with the numbers the panel showed.',
    ],
    imports: [pyComment('torch and transformers are imported below, with the model')],
    helpers: [],
    data: [
      ['MODEL', pyStr(result.inputs.model)],
      ['TEXTS', pyLiteral(result.texts.map((t) => t.text))],
      ['TARGET', pyStr(result.inputs.target)],
      ['CONTRAST', pyLiteral(result.inputs.contrast && result.inputs.contrast.trim() ? result.inputs.contrast : null)],
      ['QUANTITY', pyStr(quantity)],
      ['NAMES', pyLiteral(names)],
      ['PANEL_COMPONENTS', pyMatrix(result.texts.map((t) => t.components.map((c) => c.value)))],
      ['PANEL_HEADS', pyMatrix(result.texts.map((t) => t.heads.flat()))],
    ],
    compute: COMPUTE,
    plot,
  };
}
