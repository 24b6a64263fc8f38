// Which chart function drew a chart, and with what data: kept for every chart made through
// `tracked`, so a panel card can pin its chart to the side view, where webview/charts/registry.ts
// draws it again from the same name and data.
import type { Chart } from './common';

export interface ChartSpec { chart: string; data: unknown; options: unknown }

const specs = new WeakMap<object, ChartSpec>();
const listeners = new Set<(chart: object) => void>();

/** Wraps a chart function so its charts remember their spec; `update` keeps the spec current and tells listeners. */
export function tracked<D, O, C extends Chart<D, O>>(name: string, draw: (container: HTMLElement, data: D, options?: Partial<O>) => C) {
  return (container: HTMLElement, data: D, options: Partial<O> = {}): C => {
    const chart = draw(container, data, options);
    const spec: ChartSpec = { chart: name, data, options };
    specs.set(chart, spec);
    const update = chart.update.bind(chart);
    chart.update = (next, nextOptions) => {
      update(next, nextOptions);
      if (next) spec.data = next;
      if (nextOptions) spec.options = { ...(spec.options as object), ...nextOptions };
      for (const listener of listeners) listener(chart);
    };
    return chart;
  };
}

export function chartSpec(chart: object | undefined): ChartSpec | undefined {
  return chart ? specs.get(chart) : undefined;
}

/** Called after any tracked chart's update; returns the unsubscribe. */
export function onChartUpdate(listener: (chart: object) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Above this many numbers a chart is not pinned: the copy would cost more than the view is worth. */
const maxPinnedNumbers = 2_000_000;

/**
 * The spec as plain JSON for postMessage: typed arrays become arrays, functions (callbacks such as
 * onSelect) are dropped. Undefined when the data holds more than `maxPinnedNumbers` numbers.
 */
export function plainSpec(spec: ChartSpec): ChartSpec | undefined {
  let numbers = 0;
  const plain = (v: unknown, depth: number): unknown => {
    if (depth > 12 || typeof v === 'function') return undefined;
    if (ArrayBuffer.isView(v)) { const a = Array.from(v as unknown as ArrayLike<number>); numbers += a.length; return a; }
    if (Array.isArray(v)) { numbers += v.length; return v.map((x) => plain(x, depth + 1)); }
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) { const y = plain(x, depth + 1); if (y !== undefined) out[k] = y; }
      return out;
    }
    return v;
  };
  const data = plain(spec.data, 0);
  const options = plain(spec.options, 0);
  return numbers > maxPinnedNumbers ? undefined : { chart: spec.chart, data, options };
}
