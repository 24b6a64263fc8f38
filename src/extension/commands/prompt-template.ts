// The prompt template of a model source (`The next word is {word}`): each word is put into it
// and the model is run on the result, so it must name the word's place exactly once.

/** A template must contain `{word}` exactly once. */
export function validateTemplate(template: string): string | undefined {
  const count = template.split('{word}').length - 1;
  if (count === 1) return undefined;
  return count === 0 ? 'The template needs a {word} placeholder, e.g. "The next word is {word}".' : 'Use {word} only once.';
}
