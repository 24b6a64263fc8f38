// A few published SAE releases under SAELens's release names, with where their files are on the
// hub and their Neuronpedia ids, so that `gpt2-small-res-jb/blocks.8.hook_resid_pre` works as a
// spec and the panel can link each feature to its Neuronpedia page. Paths and ids follow SAELens's
// pretrained_saes.yaml. No path is invented: `checked` lists the ids whose folder was seen in the hub
// repository; the others follow the release's naming pattern but were not checked (no hub access
// when they were added), and the picker, load errors and README say so.
import type { SaeFormat } from './config';

export interface SaeRelease {
  /** SAELens's release name. */
  name: string;
  /** Hugging Face repository holding the SAEs. */
  repo: string;
  /** The MechLens model (catalog name) the SAEs read. */
  model: string;
  format: SaeFormat;
  description: string;
  /** SAE ids to offer in pickers; `resolve` also takes others of the release's pattern. */
  examples: readonly string[];
  /** Ids whose folder was seen in the hub repository; every other id is the pattern's guess, unchecked. */
  checked: readonly string[] | 'all';
  /** An SAE id of this release as its path in the repository, its hook and Neuronpedia id; undefined if not one of its ids. */
  resolve(id: string): SaeReleaseEntry | undefined;
}

export interface SaeReleaseEntry {
  path: string;
  hook: string;
  layer: number;
  /** `gpt2-small/8-res-jb`: the feature at index i is https://www.neuronpedia.org/{neuronpediaId}/{i}. */
  neuronpediaId?: string;
  /** What the Neuronpedia page is, where it is not exactly this SAE (Gemma Scope: the canonical L0 of the layer and width). */
  neuronpediaNote?: string;
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

export const SAE_RELEASES: readonly SaeRelease[] = Object.freeze(([
  {
    name: 'gpt2-small-res-jb', repo: 'jbloom/GPT2-Small-SAEs-Reformatted', model: 'gpt2', format: 'saelens',
    description: "Joseph Bloom's residual-stream SAEs for GPT-2 small, 24,576 features per layer",
    examples: [...range(12).map((l) => `blocks.${l}.hook_resid_pre`), 'blocks.11.hook_resid_post'],
    checked: 'all',
    resolve(id) {
      const m = /^blocks\.(\d+)\.hook_resid_(pre|post)$/.exec(id);
      if (!m) return undefined;
      const layer = Number(m[1]);
      if (layer > 11 || (m[2] === 'post' && layer !== 11)) return undefined;
      // Neuronpedia numbers the sets by the residual stream before block L, so 11's post is 12.
      return { path: id, hook: id, layer, neuronpediaId: `gpt2-small/${m[2] === 'post' ? 12 : layer}-res-jb` };
    },
  },
  {
    name: 'gemma-scope-2b-pt-res', repo: 'google/gemma-scope-2b-pt-res', model: 'gemma-2-2b', format: 'gemma-scope',
    description: "Google DeepMind's Gemma Scope: JumpReLU SAEs on every residual stream of Gemma 2 2B",
    examples: ['layer_20/width_16k/average_l0_71', 'layer_12/width_16k/average_l0_82', 'layer_5/width_16k/average_l0_68'],
    // Each layer and width has its own set of L0s; only this one was seen in the repository.
    checked: ['layer_20/width_16k/average_l0_71'],
    resolve(id) {
      const m = /^layer_(\d+)\/width_(\d+k|1m)\/average_l0_(\d+)$/.exec(id);
      if (!m || Number(m[1]) > 25) return undefined;
      const layer = Number(m[1]);
      const hasPage = m[2] === '16k' || m[2] === '65k';
      return {
        path: id, hook: `blocks.${layer}.hook_resid_post`, layer,
        ...(hasPage ? { neuronpediaId: `gemma-2-2b/${layer}-gemmascope-res-${m[2]}`, neuronpediaNote: `Neuronpedia shows the canonical SAE of layer ${layer}, width ${m[2]}, which may have another average L0 than ${m[3]}` } : {}),
      };
    },
  },
  {
    name: 'pythia-70m-deduped-res-sm', repo: 'ctigges/pythia-70m-deduped__res-sm_processed', model: 'pythia-70m-deduped', format: 'saelens',
    description: "Sam Marks's residual-stream SAEs for Pythia 70M deduped, 32,768 features per layer",
    examples: range(6).map((l) => `blocks.${l}.hook_resid_post`),
    // The `${layer}-res-sm` folders follow pretrained_saes.yaml as recalled, not a listing of the repository.
    checked: [],
    resolve(id) {
      const m = /^blocks\.(\d+)\.hook_resid_post$/.exec(id);
      if (!m || Number(m[1]) > 5) return undefined;
      const layer = Number(m[1]);
      return { path: `${layer}-res-sm`, hook: id, layer, neuronpediaId: `pythia-70m-deduped/${layer}-res-sm` };
    },
  },
] as SaeRelease[]).map((r) => Object.freeze(r)));

/** The release and entry of a `RELEASE/SAE_ID` spec, or undefined when RELEASE is not in the catalog. */
export function findCatalogSae(spec: string): { release: SaeRelease; id: string; entry: SaeReleaseEntry | undefined } | undefined {
  const slash = spec.indexOf('/');
  if (slash < 0) return undefined;
  const release = SAE_RELEASES.find((r) => r.name === spec.slice(0, slash));
  if (!release) return undefined;
  const id = spec.slice(slash + 1);
  return { release, id, entry: release.resolve(id) };
}

/** Whether an id's hub folder was seen in the release's repository (not only derived from its naming pattern). */
export function isCheckedOnHub(release: SaeRelease, id: string): boolean {
  return release.checked === 'all' || release.checked.includes(id);
}

/** What the picker, errors and README say about an id that was not checked. */
export const UNCHECKED_NOTE = 'path not checked against the hub';

/** Neuronpedia's page of one feature. */
export function neuronpediaUrl(neuronpediaId: string, feature: number): string {
  return `https://www.neuronpedia.org/${neuronpediaId}/${feature}`;
}
