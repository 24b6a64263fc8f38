// "Copy as Python" for the logit lens grid: a script that recomputes the lens of one text with torch
// and transformers as Hugging Face runs the model (output_hidden_states; the final norm
// model.transformer.ln_f / gpt_neox.final_layer_norm / model.norm; the output embeddings; Gemma-2's
// final softcap), prints how far MechLens's numbers are from it, and redraws the grid with matplotlib.
import type { LensResult } from '../protocol/lens';
import { pyInt, pyLiteral, pyMatrix, pyStr, type ScriptParts } from './python-script';

/** The card of text `index`: its export name is `lens-grid-<index>`. */
export function lensGridName(index: number): string {
  return `lens-grid-${index}`;
}

export function lensScript(r: LensResult, name: string): ScriptParts | undefined {
  const match = /^lens-grid-(\d+)$/.exec(name);
  const text = match ? r.texts[Number(match[1])] : undefined;
  if (!text || text.layers.length === 0) return undefined;
  // A folder the run read (its copy), else the id as given: from_pretrained takes either.
  const model = r.model.copy?.path ?? r.inputs.model;
  const top1 = text.layers.map((layer) => layer.positions.map((p) => p.top[0]?.prob ?? 0));
  const topIds = text.layers.map((layer) => layer.positions.map((p) => p.top.map((t) => t.id)));
  const targetProbs = r.target ? text.layers.map((layer) => layer.positions.map((p) => p.target?.prob ?? 0)) : null;
  return {
    title: `logit lens of ${JSON.stringify(text.text.slice(0, 80))}, ${r.title}`,
    about: [
      'Recomputes the logit lens with torch and transformers: every block\'s output (hidden_states[l + 1]) through the',
      'model\'s final norm and output embeddings (+ Gemma-2\'s final softcap), softmax; the last block\'s is the model\'s own logits.',
      'Prints the largest difference from MechLens\'s probabilities and whether the top tokens agree. Needs torch and transformers.',
    ],
    imports: ['import torch', 'from transformers import AutoModelForCausalLM'],
    helpers: [],
    data: [
      ['MODEL', pyStr(model)],
      ['TOKEN_IDS', pyLiteral(text.tokens.map((t) => t.id))],
      ['TOKENS', pyLiteral(text.tokens.map((t) => t.token))],
      ['TARGET_ID', r.target ? pyInt(r.target.id) : 'None'],
      ['TOP_K', pyInt(r.topK)],
      ['mechlens_top1', pyMatrix(top1)],
      ['mechlens_top_ids', pyLiteral(topIds)],
      ['MECHLENS_TOP1_TOKENS', pyLiteral(text.layers.map((layer) => layer.positions.map((p) => p.top[0]?.token ?? '')))],
      ['mechlens_target', targetProbs ? pyMatrix(targetProbs) : 'None'],
    ],
    compute: `model = AutoModelForCausalLM.from_pretrained(MODEL, torch_dtype=torch.float32).eval()
base = getattr(model, model.base_model_prefix)
final_norm = next(getattr(base, n) for n in ("ln_f", "final_layer_norm", "norm") if hasattr(base, n))
head = model.get_output_embeddings()
softcap = getattr(model.config, "final_logit_softcapping", None)
with torch.no_grad():
    out = model(torch.tensor([TOKEN_IDS]), output_hidden_states=True)
    n_layer = len(out.hidden_states) - 1
    probs = []
    for l in range(n_layer):
        if l == n_layer - 1:
            logits = out.logits[0]  # hidden_states[-1] already went through the final norm
        else:
            logits = head(final_norm(out.hidden_states[l + 1][0]))
            if softcap:
                logits = torch.tanh(logits / softcap) * softcap
        probs.append(torch.softmax(logits.double(), dim=-1))
    probs = torch.stack(probs)  # [layers, positions, vocab]
top = torch.topk(probs, TOP_K, dim=-1)
top1 = top.values[..., 0].numpy()
numbers = {
    "maxTop1Difference": float(np.abs(top1 - mechlens_top1).max()),
    # relative too: a random model's probabilities are all near 1 / vocabulary
    "maxTop1RelativeDifference": float((np.abs(top1 - mechlens_top1) / np.maximum(top1, 1e-30)).max()),
    "top1IdsAgree": float((top.indices[..., 0].numpy() == np.array(mechlens_top_ids)[..., 0]).mean()),
}
if TARGET_ID is not None:
    target = probs[..., TARGET_ID].numpy()
    numbers["maxTargetDifference"] = float(np.abs(target - mechlens_target).max())
    numbers["maxTargetRelativeDifference"] = float((np.abs(target - mechlens_target) / np.maximum(target, 1e-30)).max())
    numbers["targetRank"] = (1 + (probs > probs[..., TARGET_ID:TARGET_ID + 1]).sum(-1)).numpy()`,
    plot: `fig, ax = plt.subplots(figsize=(max(6, 0.9 * len(TOKENS)), max(4, 0.35 * n_layer)))
im = ax.imshow(top1, aspect="auto", origin="lower", cmap="Blues", vmin=0, vmax=1)
ids = top.indices[..., 0].numpy()
for l in range(n_layer):
    for t in range(len(TOKENS)):
        label = MECHLENS_TOP1_TOKENS[l][t] if ids[l, t] == mechlens_top_ids[l][t][0] else f"#{ids[l, t]}"
        ax.text(t, l, repr(label)[1:-1], ha="center", va="center", fontsize=7)
ax.set_xticks(range(len(TOKENS)), [repr(s)[1:-1] for s in TOKENS], rotation=45, ha="right")
ax.set_ylabel("layer")
ax.set_title("logit lens: top-1 token and its probability")
fig.colorbar(im, ax=ax, label="top-1 probability")`,
  };
}
