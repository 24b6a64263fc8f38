// The label-shuffle check: how many neurons come out significant when the group labels are
// shuffled (bars, one per count), against the real count (a line), with the permutation p.
import * as d3 from 'd3';
import { type Chart, fmtP } from './common';
import { bottomAxis, leftAxis, plotArea, svgChart, xTitle } from './frame';
import { tracked } from './spec';

export interface ShuffleCheckData { counts: number[]; observed: number; pValue: number; meanShuffled: number }
export interface ShuffleCheckOptions { height: number }

function drawShuffleCheck(container: HTMLElement, data: ShuffleCheckData, options: Partial<ShuffleCheckOptions> = {}): Chart<ShuffleCheckData, ShuffleCheckOptions> {
  return svgChart(container, 'ml-shuffle-check', data, { height: 240, ...options }, 280, ({ svg, data, options, colors, tooltip, width }) => {
    const margin = { top: 28, right: 16, bottom: 40, left: 46 };
    const area = plotArea(svg, colors, width, options.height, margin);
    const { g, w, h } = area;
    const maxCount = Math.max(data.observed, d3.max(data.counts) ?? 0);
    const x = d3.scaleLinear().domain([0, maxCount + 1]).nice().range([0, w]);
    const bin = d3.bin().domain(x.domain() as [number, number]).thresholds(Math.min(40, Math.max(5, Math.ceil(x.domain()[1]))));
    const bins = bin(data.counts);
    const y = d3.scaleLinear().domain([0, d3.max(bins, (b) => b.length) ?? 1]).nice().range([h, 0]);
    bottomAxis(area, d3.axisBottom(x).ticks(8).tickFormat(d3.format('d')).tickSizeOuter(0), colors);
    leftAxis(area, d3.axisLeft(y).ticks(5).tickFormat(d3.format('d')).tickSizeOuter(0), colors);
    xTitle(area, 'significant neurons', colors);
    const color = colors.series[0];
    g.append('g').selectAll('rect').data(bins).join('rect').attr('class', 'bin')
      .attr('x', (b) => x(b.x0 ?? 0) + 0.5).attr('width', (b) => Math.max(1, x(b.x1 ?? 0) - x(b.x0 ?? 0) - 1))
      .attr('y', (b) => y(b.length)).attr('height', (b) => h - y(b.length))
      .attr('fill', color).attr('fill-opacity', 0.4).attr('stroke', color)
      .on('mousemove', (event: MouseEvent, b) => tooltip.show('shuffled labels', [`${b.x0}–${(b.x1 ?? 0) - 1} significant: ${b.length} shuffles`], event.clientX, event.clientY))
      .on('mouseleave', () => tooltip.hide());
    const ox = x(data.observed);
    const real = colors.series[4];
    g.append('line').attr('class', 'observed').attr('x1', ox).attr('x2', ox).attr('y1', -4).attr('y2', h).attr('stroke', real).attr('stroke-width', 2.5);
    const anchor = ox > w * 0.6 ? 'end' : 'start';
    g.append('text').attr('class', 'observed-label').attr('x', ox + (anchor === 'end' ? -6 : 6)).attr('y', 8).attr('text-anchor', anchor).attr('fill', real)
      .attr('font-weight', 600).text(`real labels: ${data.observed}`);
    svg.append('text').attr('class', 'shuffle-stats').attr('x', margin.left).attr('y', 14)
      .text(`${data.counts.length} shuffles · mean ${data.meanShuffled.toFixed(1)} significant · p = ${fmtP(data.pValue)}`);
  });
}

/** Tracked, so a card can pin the chart to the side view (see spec.ts). */
export const shuffleCheck = tracked('shuffleCheck', drawShuffleCheck);
