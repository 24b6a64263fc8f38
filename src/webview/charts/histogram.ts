// Overlaid histograms (one outlined step series per source) on shared bins, e.g. the off-diagonal
// similarity distributions of two spaces, with each series' mean marked.
import * as d3 from 'd3';
import { type Chart, Tooltip, availableWidth, fmt, onWidthChange, svgDocument, themeColors } from './common';

export interface HistogramSeries { name: string; values: ArrayLike<number> }
export interface HistogramData { series: HistogramSeries[]; xLabel?: string }
export interface HistogramOptions { height: number; bins: number; density: boolean }

export function histogram(container: HTMLElement, initialData: HistogramData, initialOptions: Partial<HistogramOptions> = {}): Chart<HistogramData, HistogramOptions> {
  let data = initialData;
  let options: HistogramOptions = { height: 260, bins: 40, density: true, ...initialOptions };
  let colors = themeColors(container);
  const root = document.createElement('div');
  root.className = 'ml-chart ml-histogram';
  container.appendChild(root);
  const svg = d3.select(root).append('svg');
  const tooltip = new Tooltip();

  function render(): void {
    colors = themeColors(container);
    const width = Math.max(280, availableWidth(container));
    const margin = { top: 12 + 16 * data.series.length, right: 14, bottom: 40, left: 50 };
    const w = width - margin.left - margin.right;
    const h = options.height - margin.top - margin.bottom;
    svg.selectAll('*').remove();
    svg.attr('width', width).attr('height', options.height).attr('viewBox', `0 0 ${width} ${options.height}`).attr('font-size', 11).attr('fill', colors.foreground);
    const all = data.series.flatMap((s) => Array.from(s.values));
    const [lo, hi] = (d3.extent(all) as [number | undefined, number | undefined]);
    const x = d3.scaleLinear().domain([lo ?? 0, hi ?? 1]).nice(options.bins).range([0, w]);
    const bin = d3.bin().domain(x.domain() as [number, number]).thresholds(x.ticks(options.bins));
    const binned = data.series.map((s) => {
      const values = Array.from(s.values);
      const bins = bin(values);
      const scale = options.density ? 1 / Math.max(1, values.length) : 1;
      return { name: s.name, bins, heights: bins.map((b) => b.length * scale), mean: d3.mean(values) };
    });
    const yMax = d3.max(binned, (b) => d3.max(b.heights)) ?? 1;
    const y = d3.scaleLinear().domain([0, yMax]).nice().range([h, 0]);
    const g = svg.append('g').attr('transform', `translate(${margin.left},${margin.top})`);
    g.append('g').attr('stroke', colors.grid).attr('stroke-opacity', 0.3).selectAll('line').data(y.ticks(5)).join('line')
      .attr('x1', 0).attr('x2', w).attr('y1', (d) => y(d)).attr('y2', (d) => y(d));
    const xa = g.append('g').attr('transform', `translate(0,${h})`).call(d3.axisBottom(x).ticks(8).tickSizeOuter(0));
    const ya = g.append('g').call(d3.axisLeft(y).ticks(5).tickFormat(d3.format(options.density ? '.0%' : 'd')).tickSizeOuter(0));
    for (const a of [xa, ya]) {
      a.attr('font-family', null).attr('font-size', 10);
      a.selectAll('path,line').attr('stroke', colors.muted);
      a.selectAll('text').attr('fill', colors.foreground);
    }
    g.append('text').attr('x', w / 2).attr('y', h + 32).attr('text-anchor', 'middle').attr('fill', colors.muted).text(data.xLabel ?? 'value');
    binned.forEach((s, si) => {
      const color = colors.series[si % colors.series.length];
      const sg = g.append('g').attr('class', 'histogram-series');
      sg.selectAll('rect').data(s.bins).join('rect').attr('class', 'bin')
        .attr('x', (b) => x(b.x0 ?? 0) + 0.5).attr('width', (b) => Math.max(0, x(b.x1 ?? 0) - x(b.x0 ?? 0) - 1))
        .attr('y', (_, k) => y(s.heights[k])).attr('height', (_, k) => h - y(s.heights[k]))
        .attr('fill', color).attr('fill-opacity', 0.35).attr('stroke', color).attr('stroke-width', 1)
        .on('mousemove', (event: MouseEvent, b) => tooltip.show(s.name, [`[${fmt(b.x0 ?? 0, 2)}, ${fmt(b.x1 ?? 0, 2)})`, `${b.length} values`], event.clientX, event.clientY))
        .on('mouseleave', () => tooltip.hide());
      if (s.mean !== undefined) {
        sg.append('line').attr('x1', x(s.mean)).attr('x2', x(s.mean)).attr('y1', 0).attr('y2', h).attr('stroke', color).attr('stroke-width', 2).attr('stroke-dasharray', '4,3');
      }
      const ly = -margin.top + 12 + si * 16;
      sg.append('rect').attr('x', 0).attr('y', ly - 5).attr('width', 10).attr('height', 10).attr('fill', color).attr('fill-opacity', 0.6).attr('stroke', color);
      sg.append('text').attr('class', 'legend-label').attr('x', 16).attr('y', ly).attr('dy', '0.35em')
        .text(`${s.name}  (mean ${fmt(s.mean ?? null)}, n = ${s.bins.reduce((t, b) => t + b.length, 0)})`);
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
