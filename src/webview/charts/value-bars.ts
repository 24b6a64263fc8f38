// Labelled horizontal bars, one value a row, on a shared axis from zero (or a fixed domain): the
// Inspector's similarities of a word pair per space, a word's nearest neighbours, a layer's statistics.
// Missing values are named, not drawn as zero.
import * as d3 from 'd3';
import { type Chart, clip, fmt } from './common';
import { bottomAxis, gridLines, plotArea, svgChart, xTitle } from './frame';
import { tracked } from './spec';

export interface ValueBar { label: string; value: number | null; detail?: string }
export interface ValueBarsData { rows: ValueBar[]; xLabel: string; domain?: [number, number]; title?: string }
/** colorBy 'row': each row its own series color (spaces); 'one': all bars the first color (neighbours). */
export interface ValueBarsOptions { barHeight: number; colorBy: 'row' | 'one' }

function drawValueBars(container: HTMLElement, data: ValueBarsData, options: Partial<ValueBarsOptions> = {}): Chart<ValueBarsData, ValueBarsOptions> {
  return svgChart(container, 'ml-value-bars', data, { barHeight: 22, colorBy: 'row', ...options }, 220, ({ svg, data, options, colors, tooltip, width }) => {
    const labelW = Math.min(120, 14 + 6.5 * (d3.max(data.rows, (r) => clip(r.label, 18).length) ?? 4));
    const top = data.title ? 26 : 8;
    const area = plotArea(svg, colors, width, Math.max(1, data.rows.length) * options.barHeight + top + 40, { top, right: 44, bottom: 40, left: labelW });
    const { g, w, h } = area;
    if (data.title) svg.append('text').attr('class', 'bars-title').attr('x', 4).attr('y', 15).attr('font-weight', 600).text(data.title);
    const finite = data.rows.map((r) => r.value).filter((v): v is number => v !== null && Number.isFinite(v));
    const domain = data.domain ?? [Math.min(0, d3.min(finite) ?? 0), Math.max(0, d3.max(finite) ?? 1)];
    const x = d3.scaleLinear().domain(domain).nice().range([0, w]);
    const y = d3.scaleBand().domain(data.rows.map((_, i) => String(i))).range([0, h]).padding(0.25);
    const ticks = Math.max(2, Math.min(6, Math.floor(w / 50)));
    gridLines(area, x.ticks(ticks), x, colors, true);
    bottomAxis(area, d3.axisBottom(x).ticks(ticks).tickSizeOuter(0), colors);
    xTitle(area, data.xLabel, colors);
    g.append('line').attr('x1', x(0)).attr('x2', x(0)).attr('y1', 0).attr('y2', h).attr('stroke', colors.muted);
    data.rows.forEach((row, i) => {
      const yy = y(String(i)) ?? 0;
      const bh = y.bandwidth();
      const color = options.colorBy === 'row' ? colors.series[i % colors.series.length] : colors.series[0];
      const rg = g.append('g').attr('class', 'value-row').attr('data-label', row.label);
      rg.append('text').attr('class', 'row-label').attr('x', -6).attr('y', yy + bh / 2).attr('dy', '0.35em').attr('text-anchor', 'end').text(clip(row.label, 18));
      const v = row.value;
      const show = (event: MouseEvent) => tooltip.show(row.label, [`${data.xLabel}: ${fmt(v, 4)}`, ...(row.detail ? [row.detail] : [])], event.clientX, event.clientY);
      if (v !== null && Number.isFinite(v)) {
        rg.append('rect').attr('class', 'bar').attr('x', x(Math.min(0, v))).attr('y', yy).attr('width', Math.max(1, Math.abs(x(v) - x(0)))).attr('height', bh)
          .attr('fill', color).attr('fill-opacity', 0.85).on('mousemove', show).on('mouseleave', () => tooltip.hide());
      }
      rg.append('text').attr('class', 'bar-value').attr('x', v !== null && v < 0 ? x(0) + 4 : Math.min(w + 4, x(v ?? 0) + 4)).attr('y', yy + bh / 2).attr('dy', '0.35em')
        .attr('fill', v === null ? colors.muted : colors.foreground).text(v === null || !Number.isFinite(v) ? 'n/a' : fmt(v));
    });
  });
}

/** Tracked, so it can be pinned like the panel charts (see spec.ts). */
export const valueBars = tracked('valueBars', drawValueBars);
