// mechlens activations: capture one hook point for texts or for the words of a list in a template,
// and write rows × dims to JSON with the tokens, read positions and the provider used.
import { mkdirSync } from 'node:fs';
import { writeJsonFileSync } from '../../core/io/json-stream';
import { dirname } from 'node:path';
import { MechLensError } from '../../core/errors';
import { captureActivations, type CaptureInput, type CapturePositions } from '../../core/models/capture';
import { checkSingleTokens } from '../../core/models/positions';
import { readWordListFile } from '../../core/text/word-list';
import { numberOption, type ParsedArgs } from '../args';
import type { CliCommand } from '../command';
import { openModelArg } from './hooks';

const command: CliCommand = {
  options: {
    model: { required: true, description: 'Hugging Face id (gpt2, gpt2-medium, ...), checkpoint folder, or .onnx file' },
    hook: { required: true, description: 'hook point, e.g. blocks.5.attn.hook_q, blocks.5.mlp.hook_pre, transformer.h.5.mlp.c_fc (list: mechlens hooks --model M)' },
    text: { repeat: true, description: 'an input text (repeatable); mark the word to read as {word}' },
    words: { description: 'word list file; each word is put into --template' },
    template: { description: 'prompt template with {word}, e.g. "The next word is {word}"' },
    position: { description: 'last | target | all (default: target for --words or marked texts, else last)' },
    target: { repeat: true, description: 'for --position target: a string to find in unmarked texts, e.g. " him" (repeatable)' },
    split: { description: 'words that are several tokens in the template: last-piece (default) or drop' },
    provider: { description: 'execution provider: auto (default), cuda, webgpu, dml, coreml or cpu' },
    'batch-size': { description: 'rows per batch (default 64); a GPT-2 row packs several texts, their common prefixes computed once' },
    'cache-dir': { description: 'download cache for hub models (default ~/.cache/mechlens or $MECHLENS_CACHE)' },
    offline: { flag: true, description: 'use only cached downloads' },
    json: { required: true, description: 'where to write the JSON (activations rows × dims, tokens, positions, provider)' },
  },
  async run(args, io) {
    const model = await openModelArg(args, io);
    const { inputs, items, warnings, defaultPosition } = await readInputs(args, model.tokenizer);
    const position = parsePosition(args.position, defaultPosition);
    const hook = args.hook as string;
    const result = await captureActivations(model, inputs, [hook], position, {
      signal: io.signal,
      onProgress: (p) => io.log(`  ${p.message}`),
      provider: args.provider as string | undefined,
      targets: args.target as string[] | undefined,
      batchSize: numberOption('activations', args, 'batch-size', 64, { integer: true, min: 1 }),
      log: io.log,
    });
    const captured = result.activations[hook];
    const rows: number[][] = [];
    for (let r = 0; r < captured.dims[0]; r++) rows.push(Array.from(captured.data.subarray(r * captured.dims[1], (r + 1) * captured.dims[1])));
    const out = {
      schemaVersion: 1,
      command: 'activations',
      model: args.model,
      revision: result.revision,
      copy: model.copy,
      hook,
      hookResolved: captured.hook,
      shape: captured.shape,
      position: Array.isArray(position) ? 'indices' : position,
      items,
      tokens: result.tokens,
      // true when every text starts with the BOS token the tokenizer's post-processor adds (Llama 3, Gemma).
      bosAdded: result.bosAdded,
      positions: result.positions,
      rowInputs: result.rowInputs,
      // rows × dims; -Infinity (masked attention scores) is written as null.
      activations: rows,
      provider: result.provider,
      layersBuilt: result.layersBuilt,
      warnings: [...warnings, ...result.warnings],
    };
    const json = args.json as string;
    mkdirSync(dirname(json), { recursive: true });
    writeJsonFileSync(json, out);
    for (const w of out.warnings) io.log(`warning: ${w}`);
    const textTokens = result.tokenIds.reduce((n, ids) => n + ids.length, 0);
    const computed = result.computedTokens < textTokens ? `; computed ${result.computedTokens} of ${textTokens} tokens: common prefixes once, none after the positions read` : '';
    io.log(`${rows.length} rows × ${captured.dims[1]} values of ${captured.hook} (${result.provider.toUpperCase()}${computed}); wrote ${json}`);
  },
};

type Tokenizer = NonNullable<Awaited<ReturnType<typeof openModelArg>>['tokenizer']>;

async function readInputs(args: ParsedArgs, tokenizer: Tokenizer | undefined) {
  const texts = args.text as string[] | undefined;
  const wordsPath = args.words as string | undefined;
  if (!texts === !wordsPath) {
    throw new MechLensError('bad-argument', texts ? '--text and --words cannot be combined' : 'give --text T (repeatable) or --words FILE --template T', {
      input: 'mechlens activations', fix: 'Example: mechlens activations --model gpt2 --hook blocks.5.attn.hook_q --text "The next word is apple" --json out.json',
    });
  }
  if (texts) {
    if (args.template !== undefined) throw new MechLensError('bad-argument', '--template goes with --words, not --text', { input: 'mechlens activations', fix: 'Put the word into each --text yourself, or use --words FILE --template T.' });
    const inputs: CaptureInput[] = texts.map(parseMarkedText);
    const marked = inputs.some((i) => typeof i !== 'string');
    return { inputs, items: texts.map((text) => ({ text })), warnings: [] as string[], defaultPosition: (marked || args.target ? 'target' : 'last') as CapturePositions };
  }
  const template = args.template as string | undefined;
  if (!template) throw new MechLensError('bad-argument', '--words needs --template', { input: 'mechlens activations', fix: 'Add e.g. --template "The next word is {word}".' });
  if (!tokenizer) throw new MechLensError('not-found', 'the model has no tokenizer.json', { input: String(args.model), fix: 'Put tokenizer.json next to the model.' });
  const split = (args.split as string | undefined) ?? 'last-piece';
  if (split !== 'last-piece' && split !== 'drop') throw new MechLensError('bad-argument', `--split must be last-piece or drop, got "${split}"`, { input: 'mechlens activations' });
  const list = readWordListFile(wordsPath!);
  const check = checkSingleTokens(tokenizer, template, list.items.map((i) => i.word), split);
  const kept = new Set(check.kept);
  const items = list.items.filter((i) => kept.has(i.word)).map((i) => ({ word: i.word, category: i.category, text: check.inputs[check.kept.indexOf(i.word)].text }));
  return { inputs: check.inputs as CaptureInput[], items, warnings: [...list.warnings, ...check.warnings], defaultPosition: 'target' as CapturePositions };
}

/** "I saw {him} there" -> the text without braces, with the marked word as target. */
function parseMarkedText(text: string): CaptureInput {
  const m = /\{([^{}]+)\}/.exec(text);
  if (!m) return text;
  const clean = text.slice(0, m.index) + m[1] + text.slice(m.index + m[0].length);
  if (/[{}]/.test(clean)) throw new MechLensError('bad-argument', `mark one word per text: "${text}"`, { input: '--text', fix: 'Use a single {word} marker.' });
  return { text: clean, target: m[1], targetStart: m.index };
}

function parsePosition(value: ParsedArgs[string], fallback: CapturePositions): CapturePositions {
  if (value === undefined) return fallback;
  if (value === 'last' || value === 'target' || value === 'all') return value;
  throw new MechLensError('bad-argument', `--position must be last, target or all, got "${String(value)}"`, { input: 'mechlens activations' });
}

export default command;
