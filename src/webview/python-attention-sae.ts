// "Copy as Python" for the attention panel's SAE cards (job 4 with --sae). The feature heatmap's
// script recomputes RSA of the features' similarities with Q's and K's with scipy from the exported
// matrices, and with --sae-lens encodes every prompt again with sae_lens on TransformerLens's cache
// and compares the cosine matrix with the panel's. The per-head and sweep cards keep only finished
// numbers, so their scripts redraw them.
import type { AttentionResult, AttentionSae } from '../protocol/result';
import { pyInt, pyLiteral, pyMatrix, pyStr, type ScriptParts } from './python-script';

export const attentionSaeCards = /^(similarity-sae|sae-rsa-per-head-(q|k)|sweep-sae)$/;

export function attentionSaeScript(r: AttentionResult, name: string): ScriptParts | undefined {
  const sae = r.sae;
  if (!sae) return undefined;
  if (name === 'similarity-sae') return featureSimilarity(r, sae);
  const head = /^sae-rsa-per-head-(q|k)$/.exec(name);
  if (head) {
    const key = head[1] === 'q' ? 'rsaQ' : 'rsaK';
    const which = head[1].toUpperCase();
    return {
      title: `RSA of the SAE features with ${which} per head at layer ${r.layer}, ${r.title}`,
      about: ['The result keeps each head\'s r, not its slices, so this redraws the stored values.'],
      imports: [], helpers: [],
      data: [['heads', pyLiteral(sae.heads)]],
      compute: `numbers = {"${key}": [h["${key}"] for h in heads]}`,
      plot: `fig, ax = plt.subplots(figsize=(7, 4))
ax.bar([h["head"] for h in heads], [np.nan if v is None else v for v in numbers["${key}"]])
ax.axhline(0, color="gray", lw=0.5)
ax.set_xlabel("head")
ax.set_ylabel("RSA r (features vs ${which})")`,
    };
  }
  if (name === 'sweep-sae' && r.sweep) {
    return {
      title: `RSA of the SAE features over layers, ${r.title}`,
      about: ['The sweep keeps each layer\'s r, not its matrices, so this redraws the stored values.'],
      imports: [], helpers: [],
      data: [['sweep', pyLiteral(r.sweep.map((s) => ({ layer: s.layer, ...s.sae })))]],
      compute: 'numbers = {key: [s.get(key) for s in sweep] for key in ("q", "k", "resid")}',
      plot: `fig, ax = plt.subplots(figsize=(7, 4))
layers = [s["layer"] for s in sweep]
for key, values in numbers.items():
    ax.plot(layers, [np.nan if v is None else v for v in values], marker="o", label=f"features vs {key}")
ax.axvline(${pyInt(r.layer)}, ls="--", color="gray")
ax.set_xlabel("layer")
ax.set_ylabel("Pearson r")
ax.legend()`,
    };
  }
  return undefined;
}

function featureSimilarity(r: AttentionResult, sae: AttentionSae): ScriptParts {
  const local = !sae.info.release;
  return {
    title: `SAE features of the words at ${sae.hook} and their RSA with Q and K, ${r.title}`,
    about: [
      "Recomputes RSA (Pearson r, Spearman rho) of the features' cosine similarities with Q's and K's at the layer, with scipy.",
      'python3 this.py --sae-lens encodes every prompt again with sae_lens on TransformerLens (pip install sae-lens), reads the',
      "features at the word's last token, and compares their cosine matrix with the panel's.",
    ],
    imports: ['from scipy import stats'], helpers: ['upper', 'rsa', 'saeLens'],
    data: [
      ['S', pyMatrix(sae.space.similarity)], ['Q', pyMatrix(r.q.similarity)], ['K', pyMatrix(r.k.similarity)],
      ['WORDS', pyLiteral(r.items)], ['TEMPLATE', pyStr(r.template)], ['HOOK', pyStr(sae.hook)], ['MODEL', pyStr(r.inputs.model)],
      ['BOS', pyInt(sae.info.prependBos ? 1 : 0)],
      ['RELEASE', pyLiteral(sae.info.release ?? null)], ['SAE_ID', pyLiteral(sae.info.saeId ?? null)], ['SAE_PATH', pyLiteral(local ? sae.info.spec : null)],
    ],
    compute: `numbers = {"features_vs_Q": rsa(upper(S), upper(Q)), "features_vs_K": rsa(upper(S), upper(K))}
if "--sae-lens" in sys.argv:
    model, sae = load_with_sae_lens()
    rows = []
    for word in WORDS:
        prompt = TEMPLATE.replace("{word}", word)
        at = len(model.to_tokens(TEMPLATE[:TEMPLATE.index("{word}")] + word, prepend_bos=bool(BOS))[0]) - 1
        _, cache = model.run_with_cache(prompt, prepend_bos=bool(BOS), names_filter=[HOOK])
        rows.append(sae.encode(cache[HOOK])[0, at].detach().cpu().numpy())
    F = np.array(rows, dtype=np.float64)
    norms = np.linalg.norm(F, axis=1)
    unit = F / np.where(norms == 0, 1, norms)[:, None]
    again = unit @ unit.T
    np.fill_diagonal(again, 1)
    numbers["sae_lens_max_difference"] = float(np.abs(again - S).max())`,
    plot: `fig, ax = plt.subplots(figsize=(8, 7))
im = ax.imshow(S, cmap="viridis")
ax.set_xticks(range(len(WORDS)), WORDS, rotation=90)
ax.set_yticks(range(len(WORDS)), WORDS)
ax.set_title(f"SAE features at {HOOK}: RSA with Q r = {numbers['features_vs_Q']['pearson']:.3f}, with K r = {numbers['features_vs_K']['pearson']:.3f}")
fig.colorbar(im, ax=ax, label="cosine similarity")`,
  };
}
