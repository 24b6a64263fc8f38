// The hook points of a model grouped for the "Hook Points" view: embeddings, one group per layer,
// and the final norm and logits. Shapes are per position, as a capture reads one row.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { listHookPoints, type HookPoint, type HookShapeConfig, type HookShapeDim } from '../../core/models/hooks';
import { parseGpt2Config } from '../../core/models/config';
import type { ModelCatalogEntry } from '../../core/models/hub';

/** GPT-2's byte-level BPE vocabulary, shared by the GPT-2 models of the catalog. */
const gpt2VocabSize = 50257;

export interface HookGroup {
  label: string;
  hooks: readonly HookPoint[];
}

export function configForCatalogModel(entry: Pick<ModelCatalogEntry, 'layers' | 'heads' | 'dModel'> & Pick<Partial<ModelCatalogEntry>, 'family'>): HookShapeConfig {
  const f = entry.family;
  if (!f) return { nLayer: entry.layers, nHead: entry.heads, nEmbd: entry.dModel, nInner: 4 * entry.dModel, vocabSize: gpt2VocabSize };
  const modelType = f.modelType;
  return {
    modelType, nLayer: entry.layers, nHead: entry.heads, nEmbd: entry.dModel, nKvHead: f.nKvHead, dHead: f.dHead, nInner: f.nInner, vocabSize: f.vocabSize,
    parallelResidual: f.parallelResidual ?? false, postNorms: f.postNorms ?? false, mlp: modelType === 'gpt_neox' ? 'plain' : 'gated',
    qkNorm: modelType === 'qwen3' || modelType === 'gemma3', attnSoftcap: modelType === 'gemma2' ? 50 : null,
  };
}

/** A checkpoint folder's config.json, read with the engine's own parser (errors name the file). */
export function configForModelFolder(folder: string): HookShapeConfig {
  const file = path.join(folder, 'config.json');
  return parseGpt2Config(JSON.parse(readFileSync(file, 'utf8')), file);
}

export function hookGroups(config: HookShapeConfig): HookGroup[] {
  const hooks = listHookPoints(config);
  const groups: HookGroup[] = [{ label: 'Embeddings', hooks: hooks.filter((h) => h.layer < 0) }];
  for (let l = 0; l < config.nLayer; l++) groups.push({ label: `Layer ${l}`, hooks: hooks.filter((h) => h.layer === l) });
  groups.push({ label: 'Output', hooks: hooks.filter((h) => h.layer >= config.nLayer) });
  return groups;
}

export function formatHookShape(shape: readonly HookShapeDim[]): string {
  return shape.map((d) => (d === 'positions' ? 'T' : String(d))).join(' × ');
}

/** The label inside a layer group drops the `blocks.L.` prefix the group already says. */
export function shortHookName(name: string): string {
  return name.replace(/^blocks\.\d+\./, '');
}

/** A source spec for a hook; `hook_embed` reads the same rows as the model's `#embed` source. */
export function hookSourceSpec(model: string, hookName: string): string {
  return `model:${model}#${hookName === 'hook_embed' ? 'embed' : hookName}`;
}

/** Sources that run the model on a prompt need a template such as `The next word is {word}`. */
export function sourceNeedsTemplate(spec: string): boolean {
  if (!spec.startsWith('model:')) return false;
  const body = spec.slice('model:'.length);
  const hash = body.lastIndexOf('#');
  const hook = hash >= 0 ? body.slice(hash + 1) : 'embed';
  return hook !== 'embed' && hook !== 'hook_embed';
}
