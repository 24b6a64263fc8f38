// "Copy as Python" with hostile text: every name, label, path, word and category that goes into a script
// is a Python literal. Each script is parsed by Python (ast.parse), and Python's own tokenizer checks that
// the hostile marker appears only inside string tokens: never as code, never in a comment. Each hostile
// string also reads back unchanged through ast.literal_eval. Numbers that a hostile saved run could turn
// into text are refused instead of pasted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Result } from '../../src/protocol/result';
import { pythonForCard } from '../../src/webview/python-cards';
import { pyLiteral, pyStr } from '../../src/webview/python-script';

const MARK = 'PWNED';
/** Ways out of a string literal or a comment: newlines, quotes, backslashes, triple quotes, Unicode line breaks. */
const hostile = [
  `evil\nimport os; os.system("touch ${MARK}")\n#`,
  `a"b'c\\d ${MARK}`,
  `"""; ${MARK}()  #`,
  `'''; ${MARK}() #`,
  `x\u2028${MARK}()\u2029y`,
  `\r\n${MARK}()\r`,
  `tail backslash ${MARK}\\`,
  `nul\u0000${MARK}\u0085\u000c\u000b\u001b[31m`,
  `lone \ud800 surrogate ${MARK} \udc00`,
  `emoji 🚀 ${MARK} \u202e rtl \ufeff bom`,
  `{${MARK}} f"{${MARK}}" %s`,
];

const fixtures = path.join(__dirname, 'fixtures');
/** A stored result: numpy's (`compare-result.json`) or MechLens's own (`*-result.regression.json`). */
const fixtureFile = (name: string) => [`${name}-result.regression.json`, `${name}-result.json`].map((f) => path.join(fixtures, f)).find((f) => fs.existsSync(f)) ?? `${name}-result.json`;
const load = (name: string) => JSON.parse(fs.readFileSync(fixtureFile(name), 'utf8')) as Result;

/** Every string in the result becomes a hostile one, except the few that choose code paths. */
function poison(value: unknown, key = '', counter = { n: 0 }): unknown {
  if (typeof value === 'string') {
    if (['job', 'test', 'correction', 'method', 'kind', 'format', 'createdAt'].includes(key)) return value;
    return `${value}${hostile[counter.n++ % hostile.length]}`;
  }
  if (Array.isArray(value)) return value.map((v) => poison(v, key, counter));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, poison(v, k, counter)]));
  return value;
}

const cards: [string, string[]][] = [
  ['compare', ['similarity-a', 'similarity-b', 'selectivity-strips', 'similarity-histogram', 'rsa-scatter', 'rsa-per-category', 'word-vector', 'clusters-a', 'clusters-b']],
  ['attention', ['similarity-q', 'similarity-k', 'histogram-q', 'histogram-k', 'rsa-scatter', 'rsa-per-category', 'rsa-per-head', 'sweep-selectivity', 'sweep-rsa']],
  ['contrast', ['activations', 'neuron-means', 'sentence-means', 't-values', 'neuron', 'label-shuffle', 'neuron-map', 'gram-matrix', 'cosine-matrix', 'cosine-histogram']],
];

const checker = `
import ast, io, json, sys, tokenize
data = json.load(open(sys.argv[1], encoding="utf-8"))
mark = data["mark"]
bad = []
for key, source in data["scripts"].items():
    try:
        tree = ast.parse(source)
    except SyntaxError as e:
        bad.append(f"{key}: does not parse: {e}")
        continue
    if not (isinstance(tree.body[0], ast.Expr) and isinstance(tree.body[0].value, ast.Constant) and mark in tree.body[0].value.value):
        bad.append(f"{key}: the title is not the docstring")
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type != tokenize.STRING and mark in tok.string:
            bad.append(f"{key}: {tokenize.tok_name[tok.type]} token holds hostile text at line {tok.start[0]}: {tok.string[:60]!r}")
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and mark in node.id:
            bad.append(f"{key}: hostile name {node.id}")
for text, literal in data["strings"]:
    if ast.literal_eval(literal) != text:
        bad.append(f"pyStr does not round-trip {text!r}: {literal}")
for value, literal in data["values"]:
    if ast.literal_eval(literal) != value:
        bad.append(f"pyLiteral does not round-trip {value!r}: {literal}")
print(json.dumps(bad))
`;

function runChecker(payload: unknown): string[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mechlens-python-literals-'));
  try {
    const file = path.join(dir, 'payload.json');
    fs.writeFileSync(file, JSON.stringify(payload));
    const r = spawnSync('python3', ['-c', checker, file], { encoding: 'utf8', maxBuffer: 1 << 28 });
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout) as string[];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test('pyStr and pyLiteral: every hostile string is one literal that reads back unchanged, on one line, in ASCII-safe form', () => {
  for (const text of hostile) {
    const literal = pyStr(text);
    assert.doesNotMatch(literal, /[\n\r\u2028\u2029\u0085\u000b\u000c\u0000]/, `raw line break or NUL in ${literal}`);
    assert.ok(!/[\ud800-\udfff]/.test(literal.replace(/[\ud800-\udbff][\udc00-\udfff]/g, '')), `lone surrogate left raw in ${literal}`);
  }
  const values = [null, true, false, 0, -1.5, 1e-300, 'plain', hostile, { [hostile[0]]: [hostile[2], null, 2] }];
  const bad = runChecker({ mark: MARK, scripts: {}, strings: hostile.map((t) => [t, pyStr(t)]), values: values.map((v) => [v, pyLiteral(v)]) });
  assert.deepEqual(bad, []);
});

test('every card script of a result full of hostile names parses, and the hostile text lands only inside string literals', () => {
  const scripts: Record<string, string> = {};
  for (const [job, names] of cards) {
    const result = poison(load(job)) as Result;
    for (const name of names) {
      const script = pythonForCard(result, name);
      assert.ok(script, `${job} ${name} has a script`);
      assert.ok(script.includes(MARK), `${job} ${name}: the hostile text reaches the script (else this test proves nothing)`);
      scripts[`${job}/${name}`] = script;
    }
  }
  const bad = runChecker({ mark: MARK, scripts, strings: [], values: [] });
  assert.deepEqual(bad, []);
});

test('a saved run whose numbers are text gets no script rather than text pasted as code', () => {
  const contrast = load('contrast') as Extract<Result, { job: 'contrast' }>;
  const evil = `1)\nimport os; os.system("touch ${MARK}")#`;
  const withOptions = { ...contrast, run: { ...contrast.run, options: { ...(contrast.run.options as object), eps: evil } } } as Result;
  assert.throws(() => pythonForCard(withOptions, 'neuron-map'), /expected a number/);
  const withAlpha = { ...contrast, alpha: evil as unknown as number } as Result;
  assert.throws(() => pythonForCard(withAlpha, 't-values'), /expected a number/);
  const attention = load('attention') as Extract<Result, { job: 'attention' }>;
  assert.throws(() => pythonForCard({ ...attention, layer: evil as unknown as number } as Result, 'sweep-rsa'), /expected an integer/);
});
