// mechlens hooks: every hook point of a model with its per-position shape (or every tensor of an
// .onnx file), one per line on stdout; --json writes the same table.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { MechLensError } from '../../core/errors';
import { listModelHooks, loadModel, type LoadedModel } from '../../core/models/capture-model';
import type { ParsedArgs } from '../args';
import type { CliCommand, CliIo } from '../command';

const command: CliCommand = {
  summary: 'list the hook points of a model (TransformerLens names, shapes, Hugging Face aliases)',
  options: {
    model: { required: true, description: 'Hugging Face id (gpt2, gpt2-medium, ...), checkpoint folder, or .onnx file' },
    json: { description: 'also write the table as JSON here' },
    'cache-dir': { description: 'download cache for hub models (default ~/.cache/mechlens or $MECHLENS_CACHE)' },
    offline: { flag: true, description: 'use only cached downloads' },
  },
  async run(args, io) {
    const model = await openModelArg(args, io);
    const hooks = listModelHooks(model);
    const lines = hooks.map((h) => {
      const aliases = h.aliases.filter((a) => a.startsWith('transformer.') || a === 'lm_head');
      return `${h.name.padEnd(32)} [${h.shape.join(', ')}]${aliases.length ? `  (= ${aliases.join(', ')})` : ''}  ${h.description}`;
    });
    process.stdout.write(`${lines.join('\n')}\n`);
    if (typeof args.json === 'string') {
      mkdirSync(dirname(args.json), { recursive: true });
      writeFileSync(args.json, JSON.stringify({ schemaVersion: 1, command: 'hooks', model: args.model, revision: model.revision, kind: model.kind, hooks }));
      io.log(`Wrote ${args.json}`);
    }
  },
};

/**
 * --model as a local folder or .onnx file, else a hub id. Hub ids are fetched into the cache by
 * core/models/hub.ts when it is available in this build.
 */
export async function openModelArg(args: ParsedArgs, io: CliIo): Promise<LoadedModel> {
  const spec = args.model as string;
  if (existsSync(spec)) return loadModel(spec);
  if (!/^[\w.-]+(\/[\w.-]+)?$/.test(spec)) {
    throw new MechLensError('not-found', 'no such model folder or file, and not a Hugging Face id', {
      input: spec, fix: 'Give a checkpoint folder, an .onnx file, or a hub id such as gpt2 or openai-community/gpt2-medium.',
    });
  }
  const dir = await fetchHubModel(spec, args, io);
  return loadModel(dir);
}

async function fetchHubModel(id: string, args: ParsedArgs, io: CliIo): Promise<string> {
  void args;
  void io;
  throw new MechLensError('not-found', 'no such local folder; downloading hub models is not available in this build', {
    input: id, fix: 'Download the checkpoint (config.json, model.safetensors, tokenizer.json) into a folder and pass the folder.',
  });
}

export default command;
