// The token map's controls: the parameters the notebook hard-codes (perplexity, DBSCAN eps and
// min_samples, N) and the projection, with "Run again". The extension re-runs the job (t-SNE is not
// something to redo in the page: it is the expensive part and must match the CLI's run); the new
// result replaces the panel. Values are checked against the same table the host checks.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import type { TokensResult } from '../../protocol/result';
import { singleSelect } from '../charts/single-select';
import { type TokensRerunParams, tokensLimitProblem, type tokensRerunLimits } from '../../protocol/tokens-params';
import { el } from './cards';

export type TokensRerunRequest = TokensRerunParams;

type Field = HTMLElement & { value: string; disabled: boolean; invalid?: boolean };

function numberField(name: keyof typeof tokensRerunLimits, value: string, label: string): { wrap: HTMLLabelElement; field: Field } {
  const field = document.createElement('vscode-textfield') as Field;
  // A text field, not type=number: the element parses `step` as a number (so "any" is lost) and its
  // validity check throws on a step mismatch such as an automatic eps of 1.2345. The value is checked
  // on Run again, against the table the host checks too, with a message.
  field.setAttribute('type', 'text');
  field.setAttribute('inputmode', 'decimal');
  field.setAttribute('aria-label', label);
  field.setAttribute('data-param', name);
  field.value = value;
  const wrap = el('label');
  wrap.append(el('span', undefined, label), field);
  return { wrap, field };
}

/** The run's own values as the starting point, so "Run again" without changes reproduces it. */
function currentParams(result: TokensResult): TokensRerunParams {
  return {
    job: 'tokens', method: result.method, perplexity: result.map.perplexity ?? 5,
    eps: result.run.options.epsChosen === 'auto' ? null : result.map.eps, minSamples: result.map.minSamples,
    first: result.selection.kind === 'first' ? result.selection.first : null,
  };
}

export function mapControls(result: TokensResult, rerun: ((params: TokensRerunParams) => void) | undefined): HTMLElement {
  const start = currentParams(result);
  const box = el('div', 'ml-chart-controls ml-token-controls');
  const method = singleSelect([['tsne', 't-SNE'], ['pca', 'PCA']], start.method, 'projection');
  method.setAttribute('data-param', 'method');
  const methodWrap = el('label');
  methodWrap.append(el('span', undefined, 'map'), method);
  const perplexity = numberField('perplexity', String(start.perplexity), 'perplexity');
  // Empty eps: the job's default (7 on t-SNE, from the spacing on PCA), as the placeholder says.
  const eps = numberField('eps', start.eps === null ? '' : String(start.eps), 'eps');
  eps.field.setAttribute('placeholder', 'auto');
  const minSamples = numberField('minSamples', String(start.minSamples), 'min_samples');
  const first = numberField('first', start.first === null ? '' : String(start.first), 'N');
  const run = document.createElement('vscode-button') as HTMLElement & { disabled: boolean };
  run.className = 'ml-rerun';
  run.textContent = 'Run again';
  const note = el('span', 'ml-note ml-rerun-note');
  box.append(methodWrap, perplexity.wrap, eps.wrap, minSamples.wrap);
  if (start.first !== null) box.append(first.wrap);
  box.append(run, note);

  // Until the select element has upgraded and rendered its options, its value reads as ''.
  const methodNow = (): 'tsne' | 'pca' => (method.value === 'pca' || method.value === 'tsne' ? method.value : start.method);
  const syncMethod = () => { perplexity.field.disabled = methodNow() !== 'tsne'; };
  syncMethod();
  method.addEventListener('change', syncMethod);
  if (!rerun) {
    for (const f of [perplexity.field, eps.field, minSamples.field, first.field, method, run]) f.disabled = true;
    note.textContent = 'Opened from a file: run Map Token Embeddings… to change these.';
    return box;
  }

  const read = (f: Field, name: keyof typeof tokensRerunLimits): number | null | undefined => {
    const text = f.value.trim();
    if (text === '' && (name === 'eps' || name === 'first')) { f.invalid = false; return null; }
    const value = Number(text);
    const problem = tokensLimitProblem(name, value);
    f.invalid = problem !== undefined;
    if (problem) { note.textContent = `${f.getAttribute('aria-label') ?? name} must be ${problem}.`; return undefined; }
    return value;
  };
  run.addEventListener('click', () => {
    note.textContent = '';
    const values = {
      perplexity: read(perplexity.field, 'perplexity'), eps: read(eps.field, 'eps'), minSamples: read(minSamples.field, 'minSamples'),
      first: start.first === null ? null : read(first.field, 'first'),
    };
    if (Object.values(values).some((v) => v === undefined) || values.perplexity === null || values.minSamples === null) return;
    if (start.first !== null && values.first === null) { first.field.invalid = true; note.textContent = 'N must be a whole number from 1.'; return; }
    const params: TokensRerunParams = {
      job: 'tokens', method: methodNow(), perplexity: values.perplexity as number,
      eps: values.eps as number | null, minSamples: values.minSamples as number, first: values.first as number | null,
    };
    run.disabled = true;
    note.textContent = 'Running in the extension…';
    rerun(params);
  });
  return box;
}
