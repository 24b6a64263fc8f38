// The titles of the jobs that read texts through a model, one pattern for all of them, so the lens,
// heads and SAE panels read alike: "<What> of <model>[ detail]: <what was read>".
export function modelRunTitle(what: string, model: string, read: string, detail = ''): string {
  return `${what} of ${model}${detail}: ${read}`;
}

/** "1 text", "3 texts". */
export function textCount(n: number): string {
  return `${n} text${n === 1 ? '' : 's'}`;
}
