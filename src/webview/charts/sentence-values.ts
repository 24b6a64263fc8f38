// One value per sentence (a neuron's activation, or a sentence's mean over neurons), sentences in
// row order with the two groups colored and split by a line, each group's mean as a dashed line.
// Hover names the sentence.
import * as d3 from 'd3';
import { type Chart, clip, fmt } from './common';
import { bottomAxis, gridLines, leftAxis, plotArea, svgChart, xTitle, yTitle } from './frame';
import { tracked } from './spec';

export interface SentenceValuesData {
  values: number[];
  sentences: string[];
  split: number;
  groups: [string, string];
  yLabel: string;
  title?: string;
}

export interface SentenceValuesOptions { height: number }

function drawSentenceValues(container: HTMLElement, data: SentenceValuesData, options: Partial<SentenceValuesOptions> = {}): Chart<SentenceValuesData, SentenceValuesOptions> {
  return svgChart(container, 'ml-sentence-values', data, { height: 240, ...options }, 300, ({ svg, data, options, colors, tooltip, width }) => {
    const n = data.values.length;
    const margin = { top: data.title ? 40 : 24, right: 16, bottom: 38, left: 56 };
    const area = plotArea(svg, colors, width, options.height, margin);
    const { g, w, h } = area;
    const finite = data.values.filter((v) => Number.isFinite(v));
    const [lo, hi] = d3.extent(finite) as [number | undefined, number | undefined];
    const pad = ((hi ?? 1) - (lo ?? 0)) * 0.08 || 1;
    const x = d3.scaleLinear().domain([-0.5, n - 0.5]).range([0, w]);
    const y = d3.scaleLinear().domain([(lo ?? 0) - pad, (hi ?? 1) + pad]).nice().range([h, 0]);
    if (data.title) svg.append('text').attr('class', 'values-title').attr('x', margin.left).attr('y', 14).attr('font-weight', 600).text(data.title);
    gridLines(area, y.ticks(5), y, colors);
    bottomAxis(area, d3.axisBottom(x).ticks(10).tickFormat((d) => String(Number(d) + 1)).tickSizeOuter(0), colors);
    leftAxis(area, d3.axisLeft(y).ticks(5).tickSizeOuter(0), colors);
    xTitle(area, 'sentence', colors, 31);
    yTitle(area, data.yLabel, colors, 42);
    const sx = x(data.split - 0.5);
    g.append('line').attr('class', 'group-split').attr('x1', sx).attr('x2', sx).attr('y1', -6).attr('y2', h).attr('stroke', colors.foreground).attr('stroke-width', 1.5);
    const ranges: [number, number][] = [[0, data.split], [data.split, n]];
    ranges.forEach(([a, b], k) => {
      const color = colors.series[k];
      const slice = data.values.slice(a, b).filter((v) => Number.isFinite(v));
      const mean = d3.mean(slice);
      if (mean !== undefined) {
        g.append('line').attr('class', 'group-mean').attr('x1', x(a - 0.5)).attr('x2', x(b - 0.5)).attr('y1', y(mean)).attr('y2', y(mean))
          .attr('stroke', color).attr('stroke-dasharray', '5,3').attr('stroke-width', 1.5);
      }
      g.append('text').attr('class', 'group-label').attr('x', (x(a - 0.5) + x(b - 0.5)) / 2).attr('y', -8).attr('text-anchor', 'middle')
        .attr('fill', color).attr('font-weight', 600).text(`${clip(data.groups[k], 14)} · mean ${fmt(mean ?? null)}`);
    });
    // Points carry their row index: equal values (e.g. a neuron at 0 in many sentences) must not share one tooltip.
    g.append('g').attr('class', 'points').selectAll('circle').data(data.values.map((v, i) => ({ v, i }))).join('circle')
      .attr('cx', (d) => x(d.i)).attr('cy', (d) => (Number.isFinite(d.v) ? y(d.v) : h)).attr('r', n > 400 ? 1.5 : 3)
      .attr('fill', (d) => colors.series[d.i < data.split ? 0 : 1])
      .on('mousemove', (event: MouseEvent, { v, i }) => {
        tooltip.show(`sentence ${i + 1} · ${i < data.split ? data.groups[0] : data.groups[1]}`, [data.sentences[i] ?? '', `${data.yLabel}: ${fmt(v, 4)}`], event.clientX, event.clientY);
      })
      .on('mouseleave', () => tooltip.hide());
  });
}

/** Tracked, so a card can pin the chart to the side view (see spec.ts). */
export const sentenceValues = tracked('sentenceValues', drawSentenceValues);
