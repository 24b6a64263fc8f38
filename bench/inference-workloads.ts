// The inference workloads of issue 3, copied from the notebooks, shared by bench/inference.ts and
// bench/inference-interleaved.ts.
//   prompts    34 prompts "The next word is {word}" (5 tokens), hooks blocks.5.attn.hook_q + hook_k
//   sentences  108 sentences of about 14 tokens, hook blocks.5.mlp.hook_pre: 54 "him"/"her"
//              minimal pairs (6 subjects × 9 places), as in the contrast notebook, read at the
//              last token; sentences-target reads them at "him"/"her", as the notebook does
const WORDS = ['space', 'apple', 'car', 'house', 'dog', 'cat', 'tree', 'water', 'fire', 'book', 'chair', 'table', 'bread', 'milk', 'king', 'queen',
  'river', 'stone', 'glass', 'paper', 'music', 'money', 'light', 'night', 'green', 'blue', 'red', 'sun', 'moon', 'star', 'ship', 'train', 'door', 'road'];
const SUBJECTS = ['The teacher', 'My neighbor', 'The old doctor', 'A young student', 'The driver', 'Our manager'];
const PLACES = ['market', 'station', 'library', 'park', 'office', 'hospital', 'school', 'bank', 'museum'];

/** Pair p = i / 2 has subject p mod 6 and place p / 6, so all 108 sentences differ. */
const SENTENCES = Array.from({ length: 108 }, (_, i) => {
  const pair = Math.floor(i / 2);
  return `${SUBJECTS[pair % SUBJECTS.length]} saw ${i % 2 === 0 ? 'him' : 'her'} at the ${PLACES[Math.floor(pair / SUBJECTS.length)]} early yesterday morning, I think.`;
});

export type WorkloadName = 'prompts' | 'sentences' | 'sentences-target';
export interface Workload {
  label: string; texts: string[]; hooks: string[]; torchHooks: string[];
  /** Where the rows are read: the last token (default), or the first of `targets` found. */
  positions?: 'last' | 'target'; targets?: string[];
}

export const WORKLOADS: Record<WorkloadName, Workload> = {
  prompts: {
    label: '34 prompts × 5 tok, attn q+k @5', texts: WORDS.map((w) => `The next word is ${w}`),
    hooks: ['blocks.5.attn.hook_q', 'blocks.5.attn.hook_k'], torchHooks: ['hook_q', 'hook_k'],
  },
  sentences: {
    label: '108 sentences × ~14 tok, mlp pre @5', texts: SENTENCES,
    hooks: ['blocks.5.mlp.hook_pre'], torchHooks: ['mlp_pre'],
  },
  // The contrast notebook reads the sentences at "him"/"her", not at their last token.
  'sentences-target': {
    label: '108 sentences × ~14 tok, mlp pre @5 at him/her', texts: SENTENCES,
    hooks: ['blocks.5.mlp.hook_pre'], torchHooks: ['mlp_pre'], positions: 'target', targets: [' him', ' her'],
  },
};
