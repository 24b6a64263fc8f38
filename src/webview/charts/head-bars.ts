// One value per attention head as vertical bars on a fixed [-1, 1] axis (RSA r), with a dashed line
// for the value over all heads together and a tooltip that adds each head's other statistics.
import * as d3 from 'd3';
import { type Chart, fmt } from './common';
import { bottomAxis, gridLines, leftAxis, plotArea, svgChart, xTitle, yTitle } from './frame';
import { tracked } from './spec';

export interface HeadBar { head: number; value: number | null; details: string[] }
export interface HeadBarsData { heads: HeadBar[]; overall?: number | null; overallLabel?: string; yLabel: string }
export interface HeadBarsOptions { height: number }

function drawHeadBars(container: HTMLElement, data: HeadBarsData, options: Partial<HeadBarsOptions> = {}): Chart<HeadBarsData, HeadBarsOptions> {
  return svgChart(container, 'ml-head-bars', data, { height: 240, ...options }, 260, ({ svg, data, options, colors, tooltip, width }) => {
    const area = plotArea(svg, colors, width, options.height, { top: 14, right: 14, bottom: 40, left: 50 });
    const { g, w, h } = area;
    const x = d3.scaleBand().domain(data.heads.map((b) => String(b.head))).range([0, w]).padding(0.2);
    const y = d3.scaleLinear().domain([-1, 1]).range([h, 0]);
    gridLines(area, y.ticks(8), y, colors);
    g.append('line').attr('x1', 0).attr('x2', w).attr('y1', y(0)).attr('y2', y(0)).attr('stroke', colors.muted);
    const every = Math.max(1, Math.ceil(data.heads.length / Math.max(1, Math.floor(w / 28))));
    bottomAxis(area, d3.axisBottom(x).tickValues(x.domain().filter((_, i) => i % every === 0)).tickSizeOuter(0), colors);
    leftAxis(area, d3.axisLeft(y).ticks(8).tickSizeOuter(0), colors);
    xTitle(area, 'head', colors);
    yTitle(area, data.yLabel, colors, 36);
    const color = colors.series[0];
    const negative = colors.series[1 % colors.series.length];
    for (const b of data.heads) {
      const xx = x(String(b.head)) ?? 0;
      const v = b.value;
      const show = (event: MouseEvent) => tooltip.show(`head ${b.head}`, [`${data.yLabel}: ${fmt(v)}`, ...b.details], event.clientX, event.clientY);
      if (v !== null && Number.isFinite(v)) {
        g.append('rect').attr('class', 'bar').attr('data-head', b.head).attr('x', xx).attr('width', x.bandwidth())
          .attr('y', y(Math.max(0, v))).attr('height', Math.max(1, Math.abs(y(v) - y(0))))
          .attr('fill', v >= 0 ? color : negative).attr('fill-opacity', 0.85)
          .on('mousemove', show).on('mouseleave', () => tooltip.hide());
      }
      if (x.bandwidth() >= 30) {
        g.append('text').attr('class', 'bar-value').attr('x', xx + x.bandwidth() / 2).attr('y', v !== null && v < 0 ? y(v) + 12 : y(Math.max(0, v ?? 0)) - 4)
          .attr('text-anchor', 'middle').attr('font-size', 10).text(v === null ? 'n/a' : fmt(v, 2));
      }
    }
    if (data.overall !== undefined && data.overall !== null && Number.isFinite(data.overall)) {
      const yo = y(data.overall);
      g.append('line').attr('class', 'overall').attr('x1', 0).attr('x2', w).attr('y1', yo).attr('y2', yo)
        .attr('stroke', colors.foreground).attr('stroke-dasharray', '4,3');
      if (data.overallLabel) {
        g.append('text').attr('class', 'overall-label').attr('x', w).attr('y', yo - 4).attr('text-anchor', 'end').attr('fill', colors.muted)
          .text(`${data.overallLabel} ${fmt(data.overall, 2)}`);
      }
    }
  });
}

/** Tracked, so a card can pin the chart to the side view (see spec.ts). */
export const headBars = tracked('headBars', drawHeadBars);
