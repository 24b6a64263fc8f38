// Per-category RSA: one horizontal bar of Pearson r per category on a fixed [-1, 1] axis, with the
// overall r as a reference line, and ρ, p and the pair count written beside each bar.
import * as d3 from 'd3';
import { type Chart, categoryColor, fmt, fmtP } from './common';
import { bottomAxis, gridLines, plotArea, svgChart, xTitle } from './frame';
import { tracked } from './spec';

export interface CategoryBar {
  category: string;
  pearson: number | null;
  spearman?: number | null;
  pValue?: number | null;
  n?: number;
}

export interface CategoryBarsData {
  rows: CategoryBar[];
  /** Overall value drawn as a dashed reference line. */
  overall?: number | null;
  xLabel?: string;
}

export interface CategoryBarsOptions { barHeight: number }

function drawCategoryBars(container: HTMLElement, data: CategoryBarsData, options: Partial<CategoryBarsOptions> = {}): Chart<CategoryBarsData, CategoryBarsOptions> {
  return svgChart(container, 'ml-category-bars', data, { barHeight: 30, ...options }, 300, ({ svg, data, options, colors, tooltip, width }) => {
    const labelW = Math.min(140, 12 + 7 * (d3.max(data.rows, (r) => r.category.length) ?? 6));
    const narrow = width < 520;
    const margin = { top: 12, right: narrow ? 64 : 176, bottom: 40, left: labelW };
    const area = plotArea(svg, colors, width, Math.max(1, data.rows.length) * options.barHeight + margin.top + margin.bottom, margin);
    const { g, w, h } = area;
    const x = d3.scaleLinear().domain([-1, 1]).range([0, w]);
    const y = d3.scaleBand().domain(data.rows.map((_, i) => String(i))).range([0, h]).padding(0.28);
    const tickCount = Math.max(2, Math.min(8, Math.floor(w / 45)));
    gridLines(area, x.ticks(tickCount), x, colors, true);
    bottomAxis(area, d3.axisBottom(x).ticks(tickCount).tickSizeOuter(0), colors);
    xTitle(area, data.xLabel ?? 'Pearson r (RSA within the category)', colors);
    g.append('line').attr('x1', x(0)).attr('x2', x(0)).attr('y1', 0).attr('y2', h).attr('stroke', colors.muted);

    data.rows.forEach((row, i) => {
      const yy = y(String(i)) ?? 0;
      const bh = y.bandwidth();
      const rg = g.append('g').attr('class', 'category-row');
      rg.append('text').attr('class', 'category-name').attr('x', -8).attr('y', yy + bh / 2).attr('dy', '0.35em').attr('text-anchor', 'end')
        .attr('font-weight', 600).attr('fill', categoryColor(colors, i)).text(row.category);
      const r = row.pearson;
      if (r !== null && Number.isFinite(r)) {
        rg.append('rect').attr('class', 'bar').attr('x', x(Math.min(0, r))).attr('y', yy).attr('width', Math.abs(x(r) - x(0))).attr('height', bh)
          .attr('fill', categoryColor(colors, i)).attr('fill-opacity', 0.85)
          .on('mousemove', (event: MouseEvent) => tooltip.show(row.category, [`r = ${fmt(r)}`, `ρ = ${fmt(row.spearman)}`, `p = ${fmtP(row.pValue)}`, `${row.n ?? '?'} pairs`], event.clientX, event.clientY))
          .on('mouseleave', () => tooltip.hide());
      }
      rg.append('text').attr('class', 'bar-value').attr('x', w + 8).attr('y', yy + bh / 2).attr('dy', '0.35em')
        .text(r === null ? (narrow ? 'r undefined' : 'r undefined (< 3 pairs)')
          : narrow ? `r = ${fmt(r, 2)}` : `r = ${fmt(r, 2)} · ρ = ${fmt(row.spearman, 2)} · p = ${fmtP(row.pValue)}`);
    });
    if (data.overall !== undefined && data.overall !== null) {
      g.append('line').attr('class', 'overall').attr('x1', x(data.overall)).attr('x2', x(data.overall)).attr('y1', -4).attr('y2', h)
        .attr('stroke', colors.foreground).attr('stroke-dasharray', '4,3');
    }
  });
}

/** Tracked, so a card can pin the chart to the side view (see spec.ts). */
export const categoryBars = tracked('categoryBars', drawCategoryBars);
