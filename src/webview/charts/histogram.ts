// Overlaid histograms (one outlined step series per source) on shared bins, e.g. the off-diagonal
// similarity distributions of two spaces, with each series' mean marked.
import * as d3 from 'd3';
import { type Chart, fmt } from './common';
import { bottomAxis, gridLines, leftAxis, plotArea, svgChart, swatchLegend, xTitle } from './frame';
import { tracked } from './spec';

export interface HistogramSeries { name: string; values: ArrayLike<number> }
export interface HistogramData { series: HistogramSeries[]; xLabel?: string }
export interface HistogramOptions { height: number; bins: number; density: boolean }

function drawHistogram(container: HTMLElement, data: HistogramData, options: Partial<HistogramOptions> = {}): Chart<HistogramData, HistogramOptions> {
  return svgChart(container, 'ml-histogram', data, { height: 260, bins: 40, density: true, ...options }, 280, ({ svg, data, options, colors, tooltip, width }) => {
    const margin = { top: 12 + 16 * data.series.length, right: 14, bottom: 40, left: 50 };
    const area = plotArea(svg, colors, width, options.height, margin);
    const { g, w, h } = area;
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
    gridLines(area, y.ticks(5), y, colors);
    bottomAxis(area, d3.axisBottom(x).ticks(8).tickSizeOuter(0), colors);
    leftAxis(area, d3.axisLeft(y).ticks(5).tickFormat(d3.format(options.density ? '.0%' : 'd')).tickSizeOuter(0), colors);
    xTitle(area, data.xLabel ?? 'value', colors);
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
      // Each series' legend row sits in its own group, so hiding a series hides its entry too.
      swatchLegend(sg, [{ label: `${s.name}  (mean ${fmt(s.mean ?? null)}, n = ${s.bins.reduce((t, b) => t + b.length, 0)})`, color }], -margin.top + 12 + si * 16);
    });
  });
}

/** Tracked, so a card can pin the chart to the side view (see spec.ts). */
export const histogram = tracked('histogram', drawHistogram);
