// The pieces every "Copy as Python" script is made of: the data block (numbers as exact float64,
// base64-encoded; text as JSON), the shared numpy helpers a script asks for, and the frame that
// prints the recomputed numbers as one JSON line and then redraws the chart with matplotlib.
// A script runs as is in a notebook cell or with `python3 script.py` (`--no-plot` skips the figure).
import { flatMatrix } from '../protocol/packed-matrices';

/** Exact float64 little-endian bytes as base64, read back by `_f64(b64, shape)`. */
function float64Base64(values: ArrayLike<number>): string {
  const bytes = new Uint8Array(values.length * 8);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat64(i * 8, values[i], true);
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** A Python expression for a number matrix (rows of equal length), exact to the last bit. */
export function pyMatrix(rows: readonly ArrayLike<number>[]): string {
  const cols = rows.length ? rows[0].length : 0;
  return `_f64("${float64Base64(flatMatrix(rows as ArrayLike<number>[], cols))}", (${rows.length}, ${cols}))`;
}

/** A Python expression for a number vector. */
export function pyVector(values: ArrayLike<number>): string {
  return `_f64("${float64Base64(values)}", (${values.length},))`;
}

/**
 * Characters written as escapes inside a Python string: the quote and backslash, and everything that is
 * not a visible character or a plain space (controls, format characters, line and paragraph separators,
 * private use, unassigned and lone surrogates), so a hostile label cannot end the literal, start a line
 * or hide text, and the script stays valid UTF-8 for the clipboard.
 */
const PY_ESCAPED = /["\\]|[\p{C}\p{Zl}\p{Zp}]|[\u00a0\u1680\u2000-\u200f\u202f\u205f\u3000\ufeff]/u;

function pyEscape(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    // A surrogate pair is one visible character; a lone surrogate is escaped like any control.
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const low = text.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        const pair = text.slice(i, i + 2);
        out += PY_ESCAPED.test(pair) ? `\\U${text.codePointAt(i)!.toString(16).padStart(8, '0')}` : pair;
        i++;
        continue;
      }
    }
    const ch = text[i];
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if ((code >= 0xd800 && code <= 0xdfff) || PY_ESCAPED.test(ch)) out += code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return out;
}

/** A Python string literal for any text: `"..."` with every character that could break out escaped. */
export function pyStr(text: string): string {
  return `"${pyEscape(String(text))}"`;
}

/**
 * A Python literal for a number: finite numbers as JS prints them (valid Python too), non-finite as
 * float("nan")/float("inf"). Anything else, as a hostile saved run may hold, is refused here, so it can
 * never be pasted into the script as code.
 */
export function pyNumber(value: unknown): string {
  if (typeof value !== 'number') throw new TypeError(`"Copy as Python" expected a number, got ${typeof value}`);
  if (Number.isNaN(value)) return 'float("nan")';
  if (!Number.isFinite(value)) return value > 0 ? 'float("inf")' : '-float("inf")';
  return String(value);
}

/** A Python literal for an integer index or count (refuses anything else). */
export function pyInt(value: unknown): string {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw new TypeError(`"Copy as Python" expected an integer, got ${String(value).slice(0, 40)}`);
  return String(value);
}

/**
 * A Python literal for any JSON value (labels, categories, options): None, True, False, numbers, strings,
 * lists and dicts, built here rather than parsed at run time. Non-finite numbers become None, as in JSON.
 */
export function pyLiteral(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'None';
  if (typeof value === 'string') return pyStr(value);
  if (Array.isArray(value)) return `[${value.map(pyLiteral).join(', ')}]`;
  if (typeof value === 'object') {
    return `{${Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).map(([k, v]) => `${pyStr(k)}: ${pyLiteral(v)}`).join(', ')}}`;
  }
  throw new TypeError(`"Copy as Python" cannot write a ${typeof value}`);
}

/** A comment line's text, with the same escapes as a string, so nothing in it can start a line of code. */
export function pyComment(text: string): string {
  return `# ${pyEscape(String(text))}`;
}

/** numpy/scipy helpers, each included only in the scripts that call it. */
const pyHelpers = {
  upper: `def upper(S):
    """The upper triangle without the diagonal, row by row: the word pairs i < j."""
    i, j = np.triu_indices(len(S), k=1)
    return S[i, j]`,
  selectivity: `def selectivity(S, categories):
    """Mean over categories of the mean within-category similarity, divided by the mean over category
    pairs of the mean between-category similarity (items without a category left out)."""
    names = list(dict.fromkeys(c for c in categories if c is not None))
    members = {c: [i for i, k in enumerate(categories) if k == c] for c in names}
    withins = [upper(S[np.ix_(m, m)]).mean() for m in members.values() if len(m) > 1]
    betweens = [S[np.ix_(members[g], members[h])].mean() for a, g in enumerate(names) for h in names[a + 1:]]
    within = float(np.mean(withins)) if withins else None
    between = float(np.mean(betweens)) if betweens else None
    index = within / between if len(names) >= 2 and within is not None and between else None
    return {"index": index, "within": within, "between": between}`,
  rsa: `def rsa(x, y):
    """Pearson r, Spearman rho and S_c = sum(xy) / sqrt(sum(x^2) sum(y^2)) between two sets of pair similarities."""
    return {
        "pearson": float(stats.pearsonr(x, y)[0]),
        "spearman": float(stats.spearmanr(x, y)[0]),
        "cosine": float(x @ y / np.sqrt((x @ x) * (y @ y))),
        "n": int(len(x)),
    }`,
  mantel: `def mantel_p(A, B, permutations, seed):
    """Permutation p of Pearson r: the items of B relabelled at random, (count(|r_perm| >= |r|) + 1) / (n + 1).
    numpy's generator, so it agrees with MechLens's p only up to the randomness of the shuffles."""
    if permutations == 0:
        return None
    rng = np.random.default_rng(seed)
    r = abs(stats.pearsonr(upper(A), upper(B))[0])
    hits = sum(abs(stats.pearsonr(upper(A), upper(B[np.ix_(q, q)]))[0]) >= r
               for q in (rng.permutation(len(B)) for _ in range(permutations)))
    return (hits + 1) / (permutations + 1)`,
  saeLens: `def load_with_sae_lens():
    """The model in TransformerLens and the SAE in SAELens: the release's SAE, or the local folder MechLens read."""
    from sae_lens import SAE
    from transformer_lens import HookedTransformer
    model = HookedTransformer.from_pretrained(MODEL)
    sae = SAE.from_pretrained(release=RELEASE, sae_id=SAE_ID) if RELEASE else SAE.load_from_disk(SAE_PATH)
    return model, sae[0] if isinstance(sae, tuple) else sae  # sae_lens < 6 returns (sae, cfg, sparsity)`,
  cosine: `def cosine_matrix(X):
    """Cosine similarity of the rows; a zero row is 0 against every other row and 1 with itself."""
    S = cosine_similarity(X)
    np.fill_diagonal(S, 1.0)
    return S`,
} as const;

export type PyHelper = keyof typeof pyHelpers;

export interface ScriptParts {
  /** One line: what the chart is, and where it comes from (may hold file names: written as a string literal). */
  title: string;
  /** What the script recomputes and how, a few lines (written as comments, escaped). */
  about: string[];
  imports: string[];
  helpers: PyHelper[];
  /** `NAME = expression` lines: the exported data; each expression made by a py* helper, never by hand. */
  data: [string, string][];
  /** Python that sets `numbers`, a dict of the recomputed values. */
  compute: string;
  /** Python that draws on `fig`/`ax`s made here. */
  plot: string;
}

/** Assembles a runnable script. */
export function buildScript(p: ScriptParts): string {
  const helpers = p.helpers.map((h) => pyHelpers[h]);
  return [
    '# MechLens — "Copy as Python" script; the docstring below says which chart it is.',
    pyStr(`MechLens — ${p.title}`),
    ...p.about.map(pyComment),
    '# Run: python3 this.py (add --no-plot to print the numbers only). Needs numpy, scipy, scikit-learn, matplotlib.',
    'import base64',
    'import json',
    'import sys',
    '',
    'import numpy as np',
    ...p.imports,
    '',
    '',
    'def _f64(b64, shape):',
    '    """Exported numbers: float64, exactly as in the MechLens result."""',
    '    return np.frombuffer(base64.b64decode(b64), dtype="<f8").reshape(shape).copy()',
    '',
    '',
    'def _plain(value):',
    '    """numpy values as JSON: arrays as lists, non-finite numbers as null."""',
    '    if isinstance(value, dict):',
    '        return {k: _plain(v) for k, v in value.items()}',
    '    if isinstance(value, (list, tuple, np.ndarray)):',
    '        return [_plain(v) for v in value]',
    '    if isinstance(value, (float, np.floating)):',
    '        return float(value) if np.isfinite(value) else None',
    '    if isinstance(value, np.integer):',
    '        return int(value)',
    '    return value',
    '',
    '',
    ...helpers.flatMap((h) => [h, '', '']),
    ...p.data.map(([name, expr]) => `${name} = ${expr}`),
    '',
    p.compute.trim(),
    'print(json.dumps(_plain(numbers)))',
    '',
    'if "--no-plot" not in sys.argv:',
    '    import matplotlib.pyplot as plt',
    '',
    ...p.plot.trim().split('\n').map((line) => (line ? `    ${line}` : '')),
    '    fig.tight_layout()',
    '    plt.show()',
    '',
  ].join('\n');
}
