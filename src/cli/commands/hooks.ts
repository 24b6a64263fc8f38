// mechlens hooks: every hook point of a model with its per-position shape (or every tensor of an
// .onnx file), one per line on stdout; --json writes the same table.
import { existsSync, mkdirSync } from 'node:fs';
import { writeJsonFileSync } from '../../core/io/json-stream';
import { dirname } from 'node:path';
import { listModelHooks, loadModel, type LoadedModel } from '../../core/models/capture-model';
import { ensureModel, MODEL_CATALOG } from '../../core/models/hub';
import { describeCopyLine } from '../../core/models/hub-cache';
import type { ParsedArgs } from '../args';
import type { CliCommand, CliIo } from '../command';

const command: CliCommand = {
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
      // The names as the causal-LM module tree has them (transformer.h.0…, gpt_neox.layers.0…, model.layers.0…, lm_head).
      const aliases = h.aliases.filter((a) => /^(transformer|gpt_neox|model)\./.test(a) || a === 'lm_head' || a === 'embed_out');
      return `${h.name.padEnd(32)} [${h.shape.join(', ')}]${aliases.length ? `  (= ${aliases.join(', ')})` : ''}  ${h.description}`;
    });
    process.stdout.write(`${lines.join('\n')}\n`);
    if (typeof args.json === 'string') {
      mkdirSync(dirname(args.json), { recursive: true });
      writeJsonFileSync(args.json, { schemaVersion: 1, command: 'hooks', model: args.model, revision: model.revision, kind: model.kind, hooks });
      io.log(`Wrote ${args.json}`);
    }
  },
};

/** --model as a local folder or .onnx file, else a hub id fetched into the cache (with progress on stderr). */
export async function openModelArg(args: ParsedArgs, io: CliIo): Promise<LoadedModel> {
  const spec = args.model as string;
  if (existsSync(spec)) return loadModel(spec);
  let lastShown = -1;
  // The size (and license) is said once, before the first bytes of weights arrive.
  const entry = MODEL_CATALOG.find((m) => m.name === spec || m.hubId === spec);
  let announced = false;
  const dir = await ensureModel(spec, {
    cacheDir: args['cache-dir'] as string | undefined,
    offline: args.offline === true,
    signal: io.signal,
    onStatus: (message) => io.log(`  ${message}`),
    onProgress: (file, _received, _total, overall, overallTotal) => {
      if (!announced) {
        announced = true;
        const bytes = overallTotal ?? entry?.approxBytes;
        const about = bytes ? ` (${(bytes / 1e6).toFixed(0)} MB${entry?.license ? `, license ${entry.license}` : ''}${entry?.gated ? ', gated' : ''})` : '';
        io.log(`  downloading ${spec}${about}`);
      }
      const percent = overallTotal ? Math.floor((100 * overall) / overallTotal) : -1;
      if (percent !== lastShown && (percent % 10 === 0 || percent < 0)) {
        lastShown = percent;
        io.log(`  downloading ${spec}: ${file}${percent >= 0 ? ` (${percent}% of all files)` : ''}`);
      }
    },
  });
  const model = await loadModel(dir);
  io.log(describeCopyLine(spec, model.copy));
  return model;
}

export default command;
