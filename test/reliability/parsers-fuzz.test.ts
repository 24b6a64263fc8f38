// The fuzz suite over every parser and reader (issue 19): word lists, sentence sets, token lists,
// vector files, safetensors headers, .npy, CSV/TSV and metadata, config.json, and the CLI arguments of
// every command, and an SAE's cfg.json and Gemma Scope params.npz. Each input, hostile or cut short, gets a result or a MechLensError; any other
// exception fails, and so does a hang (each test has a time limit). The seed is fixed for the whole
// suite (test/helpers/fast-check-seed.ts); fast-check prints it with the counterexample on failure.
// Binary vector files and safetensors bytes are fuzzed further in vectors/bad-files.test.ts and
// models/checkpoint-safetensors.test.ts; saved runs in saved-run-fuzz.test.ts.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { MechLensError } from '../../src/core/errors';
import { parseWordList } from '../../src/core/text/word-list';
import { parseSentenceSet } from '../../src/core/text/sentence-set';
import { decodeUtf8 } from '../../src/core/text/lines';
import { readTokenListFile } from '../../src/core/analyses/tokens';
import { formatNpy, parseDelimited, parseMetadataTsv, parseNpy } from '../../src/core/io/matrix-files';
import { openSafetensors, readTensorF32 } from '../../src/core/models/safetensors';
import { parseGpt2Config } from '../../src/core/models/config';
import { lookupVectors, scanVocabulary } from '../../src/core/vectors';
import { numberOption, parseArgs, PERMUTATIONS } from '../../src/cli/args';
import type { CliCommand } from '../../src/cli/command';
import { parseSaeLensConfig } from '../../src/core/models/sae/config';
import { readSaeFiles } from '../../src/core/models/sae/load';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mechlens-fuzz-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));
const LIMIT = { timeout: 120_000 };

/** Runs fn; a MechLensError is an accepted answer, anything else thrown fails the property. */
function resultOrMechLensError<T>(fn: () => T): T | MechLensError {
  try {
    return fn();
  } catch (err) {
    if (err instanceof MechLensError) return err;
    throw err;
  }
}
async function resultOrMechLensErrorAsync<T>(fn: () => Promise<T>): Promise<T | MechLensError> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof MechLensError) return err;
    throw err;
  }
}

/** Text made of the pieces these formats care about, so the fuzzer reaches past the first check. */
const piece = fc.constantFrom('[', ']', '{', '}', '#', '\n', '\r\n', '\r', ' ', '\t', ',', '"', '\\', '\u0000', '\ufeff', '\ufffd', '\u2028',
  'word', 'Word', '{him}', '[group]', '[]', '1', '-2.5e3', 'nan', 'NaN', 'inf', '0x10', 'é', '🚀', '\ud800');
const structuredText = fc.array(piece, { maxLength: 40 }).map((a) => a.join(''));
const anyText = fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: 'grapheme', maxLength: 100 }), fc.string({ unit: 'binary', maxLength: 100 }), structuredText);

test('word lists and sentence sets: any text parses or gives a MechLensError with a line', LIMIT, () => {
  fc.assert(fc.property(anyText, (text) => {
    const list = resultOrMechLensError(() => parseWordList(text, 'fuzz.words'));
    if (list instanceof MechLensError) assert.ok(list.input === 'fuzz.words');
    else for (const item of list.items) assert.ok(item.word.length > 0 && item.word === item.word.trim());
    const set = resultOrMechLensError(() => parseSentenceSet(text, 'fuzz.sentences'));
    if (!(set instanceof MechLensError)) {
      for (const s of set.sentences) {
        if (s.target !== null) assert.equal(s.text.slice(s.targetStart!, s.targetStart! + s.target.length), s.target);
      }
    }
  }), { numRuns: 600 });
});

test('UTF-8 decoding and token list files: any bytes give entries or a MechLensError', LIMIT, () => {
  const file = path.join(dir, 'fuzz.tokens');
  const bytes = fc.oneof(fc.uint8Array({ maxLength: 200 }), structuredText.map((t) => Buffer.from(t, 'utf8')));
  fc.assert(fc.property(bytes, (b) => {
    resultOrMechLensError(() => decodeUtf8(b, 'fuzz'));
    fs.writeFileSync(file, b);
    const entries = resultOrMechLensError(() => readTokenListFile(file));
    if (!(entries instanceof MechLensError)) for (const e of entries) assert.doesNotMatch(e, /[\u0000-\u0008\u000b-\u001f]/);
  }), { numRuns: 300 });
});

test('.npy: any bytes, and any header over real data, give a finite-shaped matrix or a MechLensError', LIMIT, () => {
  const valid = Buffer.from(formatNpy({ rows: 3, cols: 2, data: Float32Array.of(1, 2, 3, 4, 5, 6) }));
  const headers = fc.record({
    descr: fc.constantFrom("'<f4'", "'<f8'", "'<i4'", "'<i8'", "'>f4'", "'|u1'", "''", '<f4'),
    fortran: fc.constantFrom('False', 'True', 'maybe'),
    shape: fc.oneof(fc.constantFrom('(3, 2)', '(6,)', '()', '(1e9, 1e9)', '(-1, 2)', '(3, 2, 1)', '(2**40,)', '(3,2'), fc.array(fc.integer({ min: -2, max: 1e12 }), { maxLength: 3 }).map((a) => `(${a.join(', ')},)`)),
    version: fc.constantFrom(1, 2, 3, 4),
  }).map(({ descr, fortran, shape, version }) => {
    const header = `{'descr': ${descr}, 'fortran_order': ${fortran}, 'shape': ${shape}, }\n`;
    const pre = Buffer.alloc(version === 1 ? 10 : 12);
    Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]).copy(pre);
    pre[6] = version;
    if (version === 1) pre.writeUInt16LE(header.length, 8); else pre.writeUInt32LE(header.length, 8);
    return Buffer.concat([pre, Buffer.from(header, 'latin1'), valid.subarray(valid.length - 24)]);
  });
  const mutated = fc.array(fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }).map((edits) => {
    const b = Buffer.from(valid);
    for (const [at, v] of edits) b[at] = v;
    return b;
  });
  fc.assert(fc.property(fc.oneof(fc.uint8Array({ maxLength: 200 }), headers, mutated, fc.nat(valid.length).map((n) => valid.subarray(0, n))), (bytes) => {
    const m = resultOrMechLensError(() => parseNpy(bytes, 'fuzz.npy'));
    if (!(m instanceof MechLensError)) assert.equal(m.data.length, m.rows * m.cols);
  }), { numRuns: 800 });
});

test('CSV, TSV and metadata TSV: any text gives a rectangular matrix or a MechLensError', LIMIT, () => {
  const delimited = fc.array(fc.array(fc.oneof(fc.constantFrom('1', '-2.5', 'nan', 'x', '', '"a,b"', '""', '1e999', '0x10', ' 3 '), fc.string({ maxLength: 6 })), { maxLength: 5 }), { maxLength: 6 });
  fc.assert(fc.property(fc.oneof(anyText, delimited.map((rows) => rows.map((r) => r.join(',')).join('\n')), delimited.map((rows) => rows.map((r) => r.join('\t')).join('\n'))),
    fc.constantFrom(',', '\t') as fc.Arbitrary<',' | '\t'>, fc.nat(8), (text, delimiter, rows) => {
      const parsed = resultOrMechLensError(() => parseDelimited(text, delimiter, 'fuzz.csv'));
      if (!(parsed instanceof MechLensError)) {
        assert.equal(parsed.matrix.data.length, parsed.matrix.rows * parsed.matrix.cols);
        if (parsed.labels) assert.equal(parsed.labels.length, parsed.matrix.rows);
      }
      const labels = resultOrMechLensError(() => parseMetadataTsv(text, 'fuzz.tsv', rows));
      if (!(labels instanceof MechLensError)) assert.equal(labels.length, rows);
    }), { numRuns: 600 });
});

test('config.json: any JSON value gives a consistent GPT-2 config or a MechLensError', LIMIT, () => {
  const field = fc.oneof(fc.integer({ min: -3, max: 5000 }), fc.double(), fc.string({ maxLength: 5 }), fc.constant(null), fc.boolean());
  const configLike = fc.record({
    model_type: fc.constantFrom('gpt2', 'llama', 'GPT2', '', 7), n_layer: field, n_head: field, n_embd: field, n_positions: field, vocab_size: field,
    n_inner: fc.option(field), layer_norm_epsilon: fc.option(field), activation_function: fc.option(fc.constantFrom('gelu_new', 'gelu', 'relu', 'tanh', 3)),
  }, { requiredKeys: [] });
  fc.assert(fc.property(fc.oneof(fc.jsonValue(), configLike), (json) => {
    const config = resultOrMechLensError(() => parseGpt2Config(json, 'fuzz/config.json'));
    if (!(config instanceof MechLensError)) {
      for (const v of [config.nLayer, config.nHead, config.nEmbd, config.nPositions, config.vocabSize]) assert.ok(Number.isSafeInteger(v) && v > 0);
      assert.equal(config.nEmbd % config.nHead, 0);
    }
  }), { numRuns: 600 });
});

test('safetensors: any header JSON over real bytes opens consistently or gives a MechLensError', LIMIT, () => {
  const file = path.join(dir, 'fuzz.safetensors');
  const entry = fc.record({
    dtype: fc.constantFrom('F32', 'F16', 'BF16', 'F64', 'I64', 'U8', 'F8', 7),
    shape: fc.oneof(fc.array(fc.integer({ min: -1, max: 40 }), { maxLength: 3 }), fc.constant('x')),
    data_offsets: fc.oneof(fc.tuple(fc.integer({ min: -4, max: 80 }), fc.integer({ min: -4, max: 80 })), fc.constant([0]), fc.constant(null)),
  }, { requiredKeys: [] });
  const header = fc.dictionary(fc.oneof(fc.constantFrom('a', 'b', '__metadata__', ''), fc.string({ maxLength: 4 })), fc.oneof(entry, fc.jsonValue()), { maxKeys: 4 });
  fc.assert(fc.property(fc.oneof(header.map((h) => JSON.stringify(h)), fc.string({ maxLength: 40 })), fc.nat(80), fc.integer({ min: -8, max: 8 }), (json, dataBytes, lengthSkew) => {
    const body = Buffer.from(json, 'utf8');
    const length = Buffer.alloc(8);
    length.writeBigUInt64LE(BigInt(Math.max(0, body.length + lengthSkew)));
    fs.writeFileSync(file, Buffer.concat([length, body, Buffer.alloc(dataBytes, 1)]));
    const opened = resultOrMechLensError(() => openSafetensors(file));
    if (opened instanceof MechLensError) return;
    for (const info of opened.tensors.values()) {
      assert.ok(info.begin >= opened.dataStart && info.end <= opened.fileSize && info.begin <= info.end);
      if (['F32', 'F16', 'BF16', 'F64'].includes(info.dtype)) resultOrMechLensError(() => readTensorF32(opened, info.name));
    }
  }), { numRuns: 500 });
});

test('SAE cfg.json: any JSON value gives a config with positive sizes or a MechLensError', LIMIT, () => {
  const field = fc.oneof(fc.integer({ min: -3, max: 5000 }), fc.double(), fc.string({ maxLength: 6 }), fc.constant(null), fc.boolean(), fc.jsonValue());
  const cfgLike = fc.record({
    d_in: field, d_sae: field, k: field, architecture: fc.oneof(fc.constantFrom('standard', 'jumprelu', 'topk', 'gated', ''), field),
    activation_fn_str: fc.oneof(fc.constantFrom('relu', 'topk', 'tanh-relu'), field), activation_fn_kwargs: fc.oneof(fc.record({ k: field }), field),
    hook_name: fc.oneof(fc.constantFrom('blocks.1.hook_resid_pre', 'blocks.x.hook_resid_pre', ''), field), apply_b_dec_to_input: field,
    normalize_activations: fc.oneof(fc.constantFrom('none', 'expected_average_only_in', 'constant_norm_rescale', 'layer_norm', 'other'), field),
    prepend_bos: field, dtype: fc.oneof(fc.constantFrom('float32', 'bfloat16', 'float16', 'int8'), field), meta: fc.oneof(fc.record({ hook_name: field }), field),
  }, { requiredKeys: [] });
  fc.assert(fc.property(fc.oneof(fc.jsonValue(), cfgLike), (json) => {
    const config = resultOrMechLensError(() => parseSaeLensConfig(json, 'fuzz/cfg.json'));
    if (!(config instanceof MechLensError)) for (const v of [config.dIn, config.dSae]) assert.ok(Number.isSafeInteger(v) && v > 0);
  }), { numRuns: 600 });
});

test('SAE params.npz: any bytes, and any damage to a real Gemma Scope file, give an SAE or a MechLensError', LIMIT, () => {
  const real = fs.readFileSync(path.join(__dirname, '../fixtures/sae/unit/gemma-scope-2b-pt-res/layer_3/width_16k/average_l0_9/params.npz'));
  const file = path.join(dir, 'params.npz');
  const damaged = fc.record({
    cut: fc.oneof(fc.constant(real.length), fc.nat(real.length)),
    flips: fc.array(fc.tuple(fc.nat(real.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
  }).map(({ cut, flips }) => {
    const bytes = Buffer.from(real);
    for (const [at, value] of flips) bytes[at] = value;
    return bytes.subarray(0, cut);
  });
  assert.ok(readSaeFiles((fs.writeFileSync(file, real), file)).config.dSae > 0, 'the undamaged file reads');
  fc.assert(fc.property(fc.oneof(fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)), damaged), (bytes) => {
    fs.writeFileSync(file, bytes);
    const sae = resultOrMechLensError(() => readSaeFiles(file));
    if (!(sae instanceof MechLensError)) assert.ok(sae.config.dIn > 0 && sae.config.dSae > 0);
  }), { numRuns: 300 });
});

test('vector text files of any content: a lookup and a scan finish with rows or a MechLensError', LIMIT, async () => {
  const file = path.join(dir, 'fuzz.txt');
  const line = fc.oneof(fc.constantFrom('3 2', 'a 1 2', 'b 1 2 3', 'c nan 1', 'd 1e999 2', '', ' ', 'é 0.5 0.5', 'x\u00001 2', '0 0'), fc.string({ maxLength: 20 }));
  await fc.assert(fc.asyncProperty(fc.array(line, { maxLength: 8 }), async (lines) => {
    fs.writeFileSync(file, lines.join('\n'));
    const found = await resultOrMechLensErrorAsync(() => lookupVectors(file, ['a', 'b', 'é']));
    if (!(found instanceof MechLensError)) {
      assert.equal(found.vectors.data.length, 3 * found.dims);
      for (const v of found.vectors.data) assert.ok(Number.isFinite(v));
    }
    await resultOrMechLensErrorAsync(() => scanVocabulary(file, () => undefined));
  }), { numRuns: 200 });
});

test('CLI arguments of every command: any argv parses or gives a MechLensError; number options accept decimals in range only', LIMIT, async () => {
  // Every command module (src/cli/commands/*.ts), read without starting the CLI's main().
  const commandDir = path.join(__dirname, '../../src/cli/commands');
  const specs = await Promise.all(fs.readdirSync(commandDir).filter((f) => f.endsWith('.ts')).map(async (f) =>
    [f.replace(/\.ts$/, ''), ((await import(path.join(commandDir, f))) as { default: CliCommand }).default.options] as const));
  assert.ok(specs.length >= 10, `${specs.length} commands`);
  const token = fc.oneof(fc.constantFrom('--json', '--k', '--permutations', '--eps', '--seed', '--model', '--help', '--', '-', '--=', '--k=3', '--offline', '--text', '--nope', 'x', ''),
    fc.string({ maxLength: 8 }), fc.string({ maxLength: 6 }).map((s) => `--${s}`));
  fc.assert(fc.property(fc.nat(specs.length - 1), fc.array(token, { maxLength: 8 }), (which, argv) => {
    const [name, spec] = specs[which];
    const parsed = resultOrMechLensError(() => parseArgs(name, argv, spec));
    if (parsed instanceof MechLensError) return;
    for (const [key, value] of Object.entries(parsed)) {
      assert.ok(key in spec, `--${key} is a known option of ${name}`);
      if (spec[key].flag) assert.equal(value, true);
    }
  }), { numRuns: 800 });
  const numberText = fc.oneof(fc.constantFrom('0x10', '0b1', '0o7', '1_000', 'Infinity', '-Infinity', 'NaN', '1e20', '1e6', '', ' ', '+5', '.5', '5.', '-0', '1e-400', '٣'),
    fc.double().map(String), fc.integer().map(String), fc.string({ maxLength: 8 }));
  fc.assert(fc.property(numberText, (raw) => {
    const n = resultOrMechLensError(() => numberOption('fuzz', { permutations: raw }, 'permutations', 1000, PERMUTATIONS));
    if (n instanceof MechLensError) assert.match(n.message, /--permutations must be a whole number from 0 to 1000000/);
    else {
      assert.ok(Number.isInteger(n) && n >= 0 && n <= 1_000_000, `${raw} -> ${n}`);
      assert.match(raw.trim(), /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/, `${raw} is written in decimal`);
    }
  }), { numRuns: 800 });
});
