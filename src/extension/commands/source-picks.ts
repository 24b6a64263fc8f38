// What the "pick a source" quick pick offers, as plain data: the vscode layer only maps these rows
// to QuickPickItems. Source specs are the strings of shared/design.md: a catalog name,
// `vectors:PATH` or `model:ID_OR_DIR#hook`.
import path from 'node:path';
import type { LocalItem } from '../local-scan';

/** The fields of a vector catalog entry the picker shows. */
export interface CatalogEntryLike {
  name: string;
  dims?: number;
  description?: string;
  /** Download size in bytes, when known. */
  sizeBytes?: number;
  vocabSize?: number;
  /** Shipped in this npm package instead of downloaded (the packaged GloVe). */
  packaged?: string;
}

/** The fields of a model catalog entry the picker shows: its token embeddings are a source. */
export interface ModelEntryLike {
  name: string;
  dModel?: number;
  sizeBytes?: number;
  description?: string;
}

export type SourcePickRow =
  | { kind: 'separator'; label: string }
  | { kind: 'spec'; spec: string; label: string; description?: string; detail?: string; picked?: boolean }
  | { kind: 'browse'; label: string; detail: string }
  | { kind: 'enter'; label: string; detail: string };

interface SourcePickInput {
  catalog: readonly CatalogEntryLike[];
  /** The sources actually used, most recent first (only those: a default never used is no recent one). */
  recent: readonly string[];
  /** Preselected: the last choice for this side; else the first recent one, else the default. */
  last?: string;
  /** From settings (already filtered by workspace trust). */
  defaultSpec?: string;
  /** Catalog names already downloaded into the cache. */
  cached?: ReadonlySet<string>;
  models?: readonly ModelEntryLike[];
  /** Model names already in the cache. */
  cachedModels?: ReadonlySet<string>;
  /** Vector files and checkpoint folders on this machine: found in the workspace or added with "Add local…". */
  local?: readonly LocalItem[];
}

function modelEmbedSpec(name: string): string {
  return `model:${name}#embed`;
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value >= 100 || unit === 0 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`;
}

/** A short label and a description for any spec, for quick picks and tree items. */
export function describeSpec(spec: string): { label: string; description: string } {
  if (spec.startsWith('vectors:')) {
    const file = spec.slice('vectors:'.length);
    return { label: path.basename(file) || file, description: `vector file · ${file}` };
  }
  if (spec.startsWith('model:')) {
    const body = spec.slice('model:'.length);
    const hash = body.lastIndexOf('#');
    const model = hash >= 0 ? body.slice(0, hash) : body;
    const hook = hash >= 0 ? body.slice(hash + 1) : 'embed';
    return { label: `${model} · ${hook === 'embed' ? 'token embeddings' : hook}`, description: 'model' };
  }
  return { label: spec, description: 'catalog' };
}

function catalogDescription(entry: CatalogEntryLike, cached: boolean): string {
  const parts: string[] = [];
  if (entry.dims) parts.push(`${entry.dims}-d`);
  if (entry.vocabSize) parts.push(`${entry.vocabSize.toLocaleString('en-US')} words`);
  parts.push(cached ? (entry.packaged ? 'installed' : 'cached') : entry.packaged ? `needs npm package ${entry.packaged}` : entry.sizeBytes ? `download ${formatBytes(entry.sizeBytes)}` : 'download on first use');
  return parts.join(' · ');
}

/**
 * Recent (used) sources first, then the local vector files and model folders, then Browse… and
 * Enter…, then the catalogs; the default is marked where it is listed. The preselected row is the
 * last choice, else the default.
 */
export function buildSourcePickRows(input: SourcePickInput): SourcePickRow[] {
  const rows: SourcePickRow[] = [];
  const seen = new Set<string>();
  const catalogByName = new Map(input.catalog.map((e) => [e.name, e]));
  const recent = input.recent.filter((s) => s.trim());
  const picked = input.last ?? recent[0] ?? input.defaultSpec;
  const marked = (spec: string, description: string | undefined) => (spec === input.defaultSpec ? ['default', description].filter(Boolean).join(' · ') : description);
  const specRow = (spec: string): SourcePickRow => {
    const entry = catalogByName.get(spec);
    if (entry) {
      return { kind: 'spec', spec, label: spec, description: marked(spec, catalogDescription(entry, input.cached?.has(spec) ?? false)), detail: entry.description, picked: spec === picked };
    }
    const { label, description } = describeSpec(spec);
    return { kind: 'spec', spec, label, description: marked(spec, description), picked: spec === picked };
  };
  const group = (label: string, specRows: SourcePickRow[]) => {
    const fresh = specRows.filter((r) => r.kind === 'spec' && !seen.has(r.spec) && seen.add(r.spec));
    if (fresh.length) rows.push({ kind: 'separator', label }, ...fresh);
  };

  group('Recent', recent.map(specRow));
  // The default is labelled as such (never as recent), above the long lists, so Enter on a first run takes it.
  if (input.defaultSpec) group('Default', [specRow(input.defaultSpec)]);
  group('On this machine', (input.local ?? []).map((item): SourcePickRow => {
    const spec = item.kind === 'vectors' ? specForFile(item.path) : modelEmbedSpec(item.path);
    const description = item.kind === 'vectors' ? item.format : 'model folder · token embeddings';
    return { kind: 'spec', spec, label: item.kind === 'vectors' ? item.name : `${item.name} · token embeddings`, description: marked(spec, description), detail: item.path, picked: spec === picked };
  }));
  rows.push({ kind: 'separator', label: 'Other sources' });
  rows.push({ kind: 'browse', label: '$(folder-opened) Browse for a vector file…', detail: 'GloVe text, word2vec text or binary, fastText .vec, optionally .gz' });
  rows.push({ kind: 'enter', label: '$(edit) Enter a source spec…', detail: 'model:gpt2#embed, model:/path/to/checkpoint#embed, vectors:/path/file.txt, or a catalog name' });
  group('Word vector catalog', input.catalog.map((e) => specRow(e.name)));
  group('Model token embeddings', (input.models ?? []).map((m): SourcePickRow => {
    const spec = modelEmbedSpec(m.name);
    const cached = input.cachedModels?.has(m.name) ?? false;
    const description = [m.dModel ? `${m.dModel}-d` : '', cached ? 'cached' : m.sizeBytes ? `download ${formatBytes(m.sizeBytes)}` : 'download on first use'].filter(Boolean).join(' · ');
    return { kind: 'spec', spec, label: describeSpec(spec).label, description: marked(spec, description), detail: m.description, picked: spec === picked };
  }));
  return rows;
}

/** Checks a spec typed by hand; returns a message for the input box, or undefined when it is fine. */
export function validateSourceSpec(text: string, catalogNames: readonly string[]): string | undefined {
  const spec = text.trim();
  if (!spec) return 'Enter a catalog name, vectors:PATH or model:ID_OR_DIR#embed.';
  if (spec.startsWith('vectors:')) return spec.length > 'vectors:'.length ? undefined : 'Add the vector file path after "vectors:".';
  if (spec.startsWith('model:')) {
    // The last "#" separates the hook, as the engine's parseSourceSpec reads it.
    const body = spec.slice('model:'.length);
    const hash = body.lastIndexOf('#');
    const model = hash >= 0 ? body.slice(0, hash) : body;
    if (!model) return 'Add a Hugging Face id (gpt2) or a local folder after "model:".';
    if (hash >= 0 && hash === body.length - 1) return 'Name a hook after "#": embed, or one such as blocks.5.attn.hook_q.';
    return undefined;
  }
  if (catalogNames.includes(spec)) return undefined;
  return `"${spec}" is not in the vector catalog. Use one of ${catalogNames.slice(0, 3).join(', ')}…, vectors:PATH or model:ID#embed.`;
}

/** The spec for a file chosen with the file dialog. */
export function specForFile(fsPath: string): string {
  return `vectors:${fsPath}`;
}
