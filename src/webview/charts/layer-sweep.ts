// Statistics over layers (the attention job's layer sweep): one line per series, one point per
// layer, undefined values left as gaps, and the layer the rest of the panel shows marked by a
// dashed vertical line. The y range is fitted to the data (selectivity indices sit near 1, so a
// range anchored at 0 would flatten them).
import * as d3 from 'd3';
import { type Chart, Tooltip, availableWidth, categoryColor, fmt, onWidthChange, svgDocument, themeColors } from './common';

export interface SweepSeries { name: string; values: (number | null)[] }
export interface LayerSweepData {
  layers: number[];
  series: SweepSeries[];
  /** The layer the panel's other charts show; marked, absent when none. */
  current?: number;
  yLabel: string;
  /** A horizontal reference line, e.g. 1 for a selectivity index (no category structure). */
  reference?: number;
}
export interface LayerSweepOptions { height: number }

export function layerSweep(container: HTMLElement, initialData: LayerSweepData, initialOptions: Partial<LayerSweepOptions> = {}): Chart<LayerSweepData, LayerSweepOptions> {
  let data = initialData;
  let options: LayerSweepOptions = { height: 260, ...initialOptions };
  let colors = themeColors(container);
  const root = document.createElement('div');
  root.className = 'ml-chart ml-layer-sweep';
  container.appendChild(root);
  const svg = d3.select(root).append('svg');
  const tooltip = new Tooltip();

  function render(): void {
    colors = themeColors(container);
    const width = Math.max(280, availableWidth(container));
    const margin = { top: 26, right: 16, bottom: 40, left: 62 };
    const w = width - margin.left - margin.right;
    const h = options.height - margin.top - margin.bottom;
    svg.selectAll('*').remove();
    svg.attr('width', width).attr('height', options.height).attr('viewBox', `0 0 ${width} ${options.height}`).attr('font-size', 11).attr('fill', colors.foreground);
    const defined = data.series.flatMap((s) => s.values.filter((v): v is number => v !== null && Number.isFinite(v)));
    if (data.reference !== undefined) defined.push(data.reference);
    let [lo, hi] = d3.extent(defined) as [number | undefined, number | undefined];
    if (lo === undefined || hi === undefined) { lo = 0; hi = 1; }
    if (hi - lo < 1e-9) { lo -= 0.5; hi += 0.5; }
    const pad = (hi - lo) * 0.08;
    const x = d3.scaleLinear().domain([d3.min(data.layers) ?? 0, Math.max((d3.max(data.layers) ?? 0), (d3.min(data.layers) ?? 0) + 1)]).range([0, w]);
    const y = d3.scaleLinear().domain([lo - pad, hi + pad]).nice().range([h, 0]);
    const g = svg.append('g').attr('transform', `translate(${margin.left},${margin.top})`);
    g.append('g').attr('class', 'grid').attr('stroke', colors.grid).attr('stroke-opacity', 0.3).selectAll('line').data(y.ticks(5)).join('line')
      .attr('x1', 0).attr('x2', w).attr('y1', (d) => y(d)).attr('y2', (d) => y(d));
    if (data.reference !== undefined) {
      g.append('line').attr('class', 'reference').attr('x1', 0).attr('x2', w).attr('y1', y(data.reference)).attr('y2', y(data.reference)).attr('stroke', colors.muted);
    }
    const xa = g.append('g').attr('transform', `translate(0,${h})`)
      .call(d3.axisBottom(x).tickValues(data.layers.length <= 30 ? data.layers : x.ticks(12)).tickFormat(d3.format('d')).tickSizeOuter(0));
    const ya = g.append('g').call(d3.axisLeft(y).ticks(5).tickSizeOuter(0));
    for (const a of [xa, ya]) {
      a.attr('font-family', null).attr('font-size', 10);
      a.selectAll('path,line').attr('stroke', colors.muted);
      a.selectAll('text').attr('fill', colors.foreground);
    }
    g.append('text').attr('x', w / 2).attr('y', h + 32).attr('text-anchor', 'middle').attr('fill', colors.muted).text('layer');
    g.append('text').attr('transform', `translate(${-48},${h / 2}) rotate(-90)`).attr('text-anchor', 'middle').attr('fill', colors.muted).text(data.yLabel);
    if (data.current !== undefined) {
      g.append('line').attr('class', 'current-layer').attr('x1', x(data.current)).attr('x2', x(data.current)).attr('y1', -4).attr('y2', h)
        .attr('stroke', colors.focus).attr('stroke-dasharray', '4,3').attr('stroke-width', 1.5);
      g.append('text').attr('class', 'current-layer-label').attr('x', x(data.current)).attr('y', -8).attr('text-anchor', 'middle')
        .attr('fill', colors.focus).text(`layer ${data.current}`);
    }
    // Legend above the plot, right-aligned, one entry per series.
    const legend = g.append('g').attr('class', 'legend');
    let lx = w;
    [...data.series].reverse().forEach((s, ri) => {
      const si = data.series.length - 1 - ri;
      const text = legend.append('text').attr('x', lx).attr('y', -8).attr('text-anchor', 'end').attr('font-weight', 600)
        .attr('fill', categoryColor(colors, si)).text(s.name);
      lx -= (text.node()?.getComputedTextLength?.() ?? s.name.length * 7) + 14;
    });

    data.series.forEach((s, si) => {
      const color = categoryColor(colors, si);
      const sg = g.append('g').attr('class', 'sweep-series').attr('data-series', s.name);
      const points = data.layers.map((layer, k) => ({ layer, value: s.values[k] ?? null }));
      sg.append('path').attr('class', 'sweep-line').attr('fill', 'none').attr('stroke', color).attr('stroke-width', 1.8)
        .attr('d', d3.line<{ layer: number; value: number | null }>().defined((p) => p.value !== null && Number.isFinite(p.value))
          .x((p) => x(p.layer)).y((p) => y(p.value as number))(points));
      sg.selectAll('circle').data(points.filter((p) => p.value !== null && Number.isFinite(p.value))).join('circle')
        .attr('class', 'sweep-point').attr('data-layer', (p) => p.layer)
        .attr('cx', (p) => x(p.layer)).attr('cy', (p) => y(p.value as number)).attr('r', (p) => (p.layer === data.current ? 4.5 : 3))
        .attr('fill', color).attr('stroke', colors.background).attr('stroke-width', 1)
        .on('mousemove', (event: MouseEvent, p) => tooltip.show(`${s.name} · layer ${p.layer}`, [`${data.yLabel}: ${fmt(p.value, 4)}`], event.clientX, event.clientY))
        .on('mouseleave', () => tooltip.hide());
    });
  }

  render();
  const stopResize = onWidthChange(container, render);
  return {
    update(next, nextOptions) {
      if (next) data = next;
      if (nextOptions) options = { ...options, ...nextOptions };
      render();
    },
    destroy() { stopResize(); tooltip.destroy(); root.remove(); },
    exportSvg() { const node = svg.node(); return node ? svgDocument(node, colors) : ''; },
  };
}
