// No import cycles: none between files anywhere in src/ (type imports and lazy import()s count,
// since they still tie the modules together), and none between the folders of core/ (its root
// holds only the leaf modules every folder uses: errors, run-control, memory, cache, download).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const root = path.join(import.meta.dirname, '..', '..');
const src = path.join(root, 'src');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sourceFiles(p) : e.name.endsWith('.ts') ? [p] : [];
  });
}

/** file -> the files of src/ it imports (relative specifiers resolved to .ts or index.ts). */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(src)) {
    const { importedFiles } = ts.preProcessFile(fs.readFileSync(file, 'utf8'), true, true);
    const targets = importedFiles.map((i) => i.fileName).filter((s) => s.startsWith('.')).flatMap((s) => {
      const base = path.resolve(path.dirname(file), s);
      return [`${base}.ts`, path.join(base, 'index.ts')].filter((c) => fs.existsSync(c)).slice(0, 1);
    });
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}

/** Strongly connected components with more than one node (Tarjan): each is a cycle. */
function cycles(graph: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>(), low = new Map<string, number>(), stack: string[] = [], onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    index.set(v, next); low.set(v, next); next++;
    stack.push(v); onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) { visit(w); low.set(v, Math.min(low.get(v)!, low.get(w)!)); }
      else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do { w = stack.pop()!; onStack.delete(w); component.push(w); } while (w !== v);
      if (component.length > 1 || graph.get(v)?.includes(v)) found.push(component);
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

const relative = (p: string) => path.relative(src, p).split(path.sep).join('/') || '.';

test('the cycle finder finds a planted cycle (so an empty answer means something)', () => {
  const planted = new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']]]);
  assert.deepEqual(cycles(planted).map((c) => c.sort()), [['a', 'b', 'c']]);
});

test('no two files of src/ import each other, directly or around a loop', () => {
  const graph = importGraph();
  assert.ok(graph.size > 100, 'the walk found the sources');
  assert.ok([...graph.values()].some((t) => t.length > 0), 'imports were resolved');
  assert.deepEqual(cycles(graph).map((c) => c.map(relative).sort()), []);
});

test('the folders of core/ import each other one way only', () => {
  const core = path.join(src, 'core');
  const folders = new Map<string, Set<string>>();
  for (const [file, targets] of importGraph()) {
    if (!file.startsWith(core + path.sep)) continue;
    const from = path.dirname(file);
    for (const t of targets) {
      const to = path.dirname(t);
      if (to === from || !t.startsWith(core + path.sep)) continue;
      if (!folders.has(from)) folders.set(from, new Set());
      folders.get(from)!.add(to);
    }
  }
  const graph = new Map([...folders].map(([k, v]) => [k, [...v]]));
  assert.ok(graph.get(path.join(core, 'analyses'))?.includes(path.join(core, 'layout')), 'folder edges were found');
  assert.deepEqual(cycles(graph).map((c) => c.map(relative).sort()), []);
});
