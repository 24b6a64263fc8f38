// One word's vector in each space. The spaces have different dimensionalities, so each gets its
// own small panel (x = dimension index) stacked with a shared layout; values are drawn as a line
// with a zero line, and hover reads out the dimension.
import * as d3 from 'd3';
import { type Chart, fmt } from './common';
import { bottomAxis, gridLines, leftAxis, plotArea, svgChart, xTitle } from './frame';
import { tracked } from './spec';

export interface LineSeries { name: string; values: ArrayLike<number> }
export interface LinePlotData { title?: string; series: LineSeries[] }
export interface LinePlotOptions { panelHeight: number; xLabel: string }

function drawLinePlot(container: HTMLElement, data: LinePlotData, options: Partial<LinePlotOptions> = {}): Chart<LinePlotData, LinePlotOptions> {
  return svgChart(container, 'ml-line-plot', data, { panelHeight: 150, xLabel: 'dimension', ...options }, 300, ({ svg, data, options, colors, tooltip, width }) => {
    const margin = { top: data.title ? 22 : 6, right: 14, bottom: 36, left: 54 };
    const gap = 46;
    const ph = options.panelHeight;
    // One frame holds every stacked panel; each panel is a plot area of its own inside it.
    const { g: outer, w } = plotArea(svg, colors, width, margin.top + data.series.length * ph + (data.series.length - 1) * gap + margin.bottom, margin);
    if (data.title) svg.append('text').attr('class', 'line-title').attr('x', margin.left).attr('y', 14).attr('font-weight', 600).text(data.title);

    data.series.forEach((series, si) => {
      const values = Array.from(series.values);
      const g = outer.append('g').attr('class', 'line-panel').attr('transform', `translate(0,${si * (ph + gap)})`);
      const area = { g, w, h: ph };
      const x = d3.scaleLinear().domain([0, Math.max(1, values.length - 1)]).range([0, w]);
      const ext = d3.extent(values) as [number | undefined, number | undefined];
      const lim = Math.max(Math.abs(ext[0] ?? 1), Math.abs(ext[1] ?? 1)) || 1;
      const y = d3.scaleLinear().domain([-lim, lim]).nice().range([ph, 0]);
      gridLines(area, y.ticks(4), y, colors);
      g.append('line').attr('x1', 0).attr('x2', w).attr('y1', y(0)).attr('y2', y(0)).attr('stroke', colors.muted);
      bottomAxis(area, d3.axisBottom(x).ticks(Math.min(10, values.length)).tickFormat(d3.format('d')).tickSizeOuter(0), colors);
      leftAxis(area, d3.axisLeft(y).ticks(4).tickSizeOuter(0), colors);
      const color = colors.series[si % colors.series.length];
      g.append('path').attr('class', 'vector-line').attr('fill', 'none').attr('stroke', color).attr('stroke-width', values.length > 400 ? 1 : 1.5)
        .attr('d', d3.line<number>().x((_, k) => x(k)).y((v) => y(v))(values));
      if (values.length <= 80) {
        g.append('g').selectAll('circle').data(values).join('circle').attr('cx', (_, k) => x(k)).attr('cy', (v) => y(v)).attr('r', 2).attr('fill', color);
      }
      g.append('text').attr('class', 'series-name').attr('x', w).attr('y', -6).attr('text-anchor', 'end').attr('font-weight', 600).attr('fill', color)
        .text(`${series.name} (${values.length} dims, ‖v‖ = ${fmt(Math.hypot(...values), 2)})`);
      if (si === data.series.length - 1) {
        xTitle(area, options.xLabel, colors, 30);
      }
      g.append('rect').attr('width', w).attr('height', ph).attr('fill', 'transparent').attr('data-export', 'omit')
        .on('mousemove', (event: MouseEvent) => {
          const k = Math.max(0, Math.min(values.length - 1, Math.round(x.invert(d3.pointer(event)[0]))));
          tooltip.show(`${series.name} · dim ${k}`, [`value: ${fmt(values[k], 4)}`], event.clientX, event.clientY);
        })
        .on('mouseleave', () => tooltip.hide());
    });
  });
}

/** Tracked, so a card can pin the chart to the side view (see spec.ts). */
export const linePlot = tracked('linePlot', drawLinePlot);
