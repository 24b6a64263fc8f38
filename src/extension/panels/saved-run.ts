// Reading a saved `*.mechlens.json`: a Result written by the panel or the CLI. Hand-edited or
// foreign files get one clear message naming the file and what is wrong, never a broken panel.
// Files are parsed from their bytes (core/io/json-read.ts): a large result's text is longer than
// the longest string V8 can hold, so it is never decoded as one.
import { isResult, SCHEMA_VERSION, type CompareResult, type MatchResult, type Result } from '../../protocol/result';
import { MechLensError } from '../../core/errors';
import { parseJsonBytes } from '../../core/io/json-read';

const knownJobs = new Set<string>(['compare', 'contrast', 'attention', 'match', 'tokens']);

export function parseSavedRun(content: Uint8Array | string, fileName: string): Result {
  let value: unknown;
  try {
    value = typeof content === 'string' ? JSON.parse(content.charCodeAt(0) === 0xfeff ? content.slice(1) : content) : parseJsonBytes(content);
  } catch (err) {
    throw new MechLensError('parse', `Not valid JSON (${err instanceof Error ? err.message : String(err)})`, {
      input: fileName,
      fix: 'Open a file saved by MechLens (Save in a panel, or the CLI --json output).',
    });
  }
  if (!isResult(value)) {
    throw new MechLensError('format', 'Not a MechLens result: it has no "job" and "schemaVersion" fields', {
      input: fileName,
      fix: 'Open a file saved by MechLens (Save in a panel, or the CLI --json output).',
    });
  }
  if (value.schemaVersion > SCHEMA_VERSION || value.schemaVersion < 1 || !Number.isInteger(value.schemaVersion)) {
    throw new MechLensError('unsupported', `Saved with result schema version ${value.schemaVersion}, but this MechLens reads version ${SCHEMA_VERSION}`, {
      input: fileName,
      fix: value.schemaVersion > SCHEMA_VERSION ? 'Update the MechLens extension to open it.' : 'Re-run the analysis to produce a current result.',
    });
  }
  if (!knownJobs.has(value.job)) {
    throw new MechLensError('unsupported', `Holds a result of the job "${String(value.job).slice(0, 40)}", which this MechLens cannot show`, {
      input: fileName,
      fix: 'Update the MechLens extension.',
    });
  }
  // Compared as plain strings: the Result union grows as job panels land.
  const job: string = value.job;
  if (job === 'compare') checkCompareShape(value as CompareResult, fileName);
  else if (job === 'contrast') checkContrastShape(value as unknown as Record<string, unknown>, fileName);
  else if (job === 'attention') checkAttentionShape(value as unknown as Record<string, unknown>, fileName);
  else if (job === 'match') checkMatchShape(value as MatchResult, fileName);
  else if (job === 'tokens') checkTokensShape(value as unknown as Record<string, unknown>, fileName);
  return value;
}

function isSquare(matrix: unknown, n: number): boolean {
  return Array.isArray(matrix) && matrix.length === n &&
    matrix.every((row) => Array.isArray(row) && row.length === n && row.every((x) => typeof x === 'number' || x === null));
}

/** The fields the panel indexes by item: a hand-edited matrix of the wrong shape is caught here. */
function checkCompareShape(result: CompareResult, fileName: string): void {
  const fail = (what: string): never => {
    throw new MechLensError('format', what, { input: fileName, fix: 'Re-run the analysis, or restore the file from the saved original.' });
  };
  if (!Array.isArray(result.items) || !result.items.every((x) => typeof x === 'string')) fail('The field "items" is missing or is not a list of words');
  const n = result.items.length;
  if (!Array.isArray(result.itemCategories) || result.itemCategories.length !== n) fail(`The field "itemCategories" must have one entry per item (${n})`);
  for (const side of ['a', 'b'] as const) {
    const space = result[side];
    if (typeof space !== 'object' || space === null) fail(`The field "${side}" is missing`);
    if (!isSquare(space.similarity, n)) fail(`The field "${side}.similarity" must be a ${n} × ${n} matrix, one row and column per item`);
    if (space.vectors !== undefined && (!Array.isArray(space.vectors) || space.vectors.length !== n)) {
      fail(`The field "${side}.vectors" must have one row per item (${n})`);
    }
  }
  if (typeof result.rsa !== 'object' || result.rsa === null) fail('The field "rsa" is missing');
}

/** Job 4: the Q, K and V similarity matrices are indexed by item in the panel. */
function checkAttentionShape(result: Record<string, unknown>, fileName: string): void {
  const fail = (what: string): never => {
    throw new MechLensError('format', what, { input: fileName, fix: 'Re-run the analysis, or restore the file from the saved original.' });
  };
  const items = result.items;
  if (!Array.isArray(items) || !items.every((x) => typeof x === 'string')) fail('The field "items" is missing or is not a list of words');
  const n = (items as string[]).length;
  if (!Array.isArray(result.itemCategories) || result.itemCategories.length !== n) fail(`The field "itemCategories" must have one entry per item (${n})`);
  for (const key of ['q', 'k', 'v']) {
    const space = result[key] as { similarity?: unknown } | null | undefined;
    if (typeof space !== 'object' || space === null || !isSquare(space.similarity, n)) fail(`The field "${key}.similarity" must be a ${n} × ${n} matrix, one row and column per item`);
  }
  if (typeof result.rsa !== 'object' || result.rsa === null) fail('The field "rsa" is missing');
  if (!Array.isArray(result.heads)) fail('The field "heads" is missing');
}

/** Job 5: one activation row per sentence, one column per neuron, and per-neuron statistics. */
function checkContrastShape(result: Record<string, unknown>, fileName: string): void {
  const fail = (what: string): never => {
    throw new MechLensError('format', what, { input: fileName, fix: 'Re-run the analysis, or restore the file from the saved original.' });
  };
  const sentences = result.sentences;
  if (!Array.isArray(sentences)) fail('The field "sentences" is missing');
  const rows = (sentences as unknown[]).length;
  const activations = result.activations;
  if (!Array.isArray(activations) || activations.length !== rows) fail(`The field "activations" must have one row per sentence (${rows})`);
  const neurons = Array.isArray((activations as unknown[][])[0]) ? (activations as unknown[][])[0].length : 0;
  if (!(activations as unknown[]).every((row) => Array.isArray(row) && row.length === neurons)) fail(`Every row of "activations" must have ${neurons} values`);
  for (const field of ['t', 'p']) {
    const values = result[field];
    if (!Array.isArray(values) || values.length !== neurons) fail(`The field "${field}" must have one value per neuron (${neurons})`);
  }
  if (!Array.isArray(result.groups) || result.groups.length !== 2) fail('The field "groups" must name the two sentence groups');
}

/** Job 3: the table rows the panel lists, and the embedded job 1 result when there is one. */
function checkMatchShape(result: MatchResult, fileName: string): void {
  const fail = (what: string): never => {
    throw new MechLensError('format', what, { input: fileName, fix: 'Re-run the analysis, or restore the file from the saved original.' });
  };
  if (!Array.isArray(result.matches)) fail('The field "matches" is missing');
  result.matches.forEach((m, i) => {
    if (typeof m !== 'object' || m === null || typeof m.word !== 'string' || typeof m.indexA !== 'number' || typeof m.tokenIdB !== 'number' || typeof m.token !== 'string') {
      fail(`Entry ${i} of "matches" must have a word, indexA, tokenIdB and token`);
    }
  });
  if (typeof result.a !== 'object' || result.a === null || typeof result.b !== 'object' || result.b === null) fail('The fields "a" and "b" must describe the two sources');
  if (result.compare !== null) {
    if (typeof result.compare !== 'object' || result.compare === undefined) fail('The field "compare" must be a comparison or null');
    checkCompareShape(result.compare, fileName);
  }
}

/** Job 2: one token, id, norm, map row and label per row; the matrices (when kept) one row per token. */
function checkTokensShape(result: Record<string, unknown>, fileName: string): void {
  const fail = (what: string): never => {
    throw new MechLensError('format', what, { input: fileName, fix: 'Re-run the analysis, or restore the file from the saved original.' });
  };
  const tokens = result.tokens;
  if (!Array.isArray(tokens) || !tokens.every((t) => typeof t === 'string')) fail('The field "tokens" is missing or is not a list of tokens');
  const n = (tokens as string[]).length;
  for (const field of ['tokenIds', 'labels', 'norms']) {
    const values = result[field];
    if (!Array.isArray(values) || values.length !== n || !values.every((v) => typeof v === 'number')) fail(`The field "${field}" must have one number per token (${n})`);
  }
  const coords = result.coords;
  if (!Array.isArray(coords) || coords.length !== n || !coords.every((row) => Array.isArray(row) && row.length === 2 && row.every((v) => typeof v === 'number'))) {
    fail(`The field "coords" must have one (x, y) row per token (${n})`);
  }
  if (result.gram !== null && !isSquare(result.gram, n)) fail(`The field "gram" must be null or a ${n} × ${n} matrix, one row and column per token`);
  const embeddings = result.embeddings;
  if (embeddings !== null && (!Array.isArray(embeddings) || embeddings.length !== n || !embeddings.every((row) => Array.isArray(row) && row.length === result.dims))) {
    fail(`The field "embeddings" must be null or ${n} rows of ${String(result.dims)} numbers`);
  }
  const inRange = (v: unknown) => Array.isArray(v) && v.every((i) => Number.isInteger(i) && i >= 0 && i < n);
  if (!Array.isArray(result.clusters) || !result.clusters.every((c: { indices?: unknown } | null) => typeof c === 'object' && c !== null && inRange(c.indices))) {
    fail(`The field "clusters" must list each group's token rows (0 to ${n - 1})`);
  }
  const ungrouped = result.ungrouped as { indices?: unknown } | null | undefined;
  if (typeof ungrouped !== 'object' || ungrouped === null || !inRange(ungrouped.indices)) fail(`The field "ungrouped" must list the ungrouped token rows (0 to ${n - 1})`);
}
