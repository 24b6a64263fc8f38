// A waterfall of additive parts: each bar starts where the running sum stood and moves it by the
// part's value, coloured by its kind, ending in a bar for the total from zero (logit attribution:
// embed, positions, each layer's attention and MLP, the norm's constant, then the logit difference).
import * as d3 from 'd3';
import { type Chart, type ThemeColors, clip, fmt } from './common';
import { bottomAxis, gridLines, inlineLegend, leftAxis, plotArea, svgChart, yTitle } from './frame';
import { tracked } from './spec';

export type WaterfallKind = 'embed' | 'attn' | 'mlp' | 'constant';
export interface WaterfallStep { label: string; value: number; kind: WaterfallKind; layer?: number }
export interface WaterfallData { steps: WaterfallStep[]; total: { label: string; value: number }; yLabel: string }
export interface WaterfallOptions { height: number; onSelect?: (step: WaterfallStep) => void }

const kindNames: Record<WaterfallKind, string> = { embed: 'embeddings', attn: 'attention', mlp: 'MLP', constant: 'constant' };

export function waterfallColor(colors: ThemeColors, kind: WaterfallKind | 'total'): string {
  switch (kind) {
    case 'attn': return colors.series[0];
    case 'mlp': return colors.series[1 % colors.series.length];
    case 'embed': return colors.series[2 % colors.series.length];
    case 'constant': return colors.muted;
    default: return colors.foreground;
  }
}

function drawWaterfall(container: HTMLElement, data: WaterfallData, options: Partial<WaterfallOptions> = {}): Chart<WaterfallData, WaterfallOptions> {
  return svgChart(container, 'ml-waterfall', data, { height: 320, ...options }, 320, ({ svg, data, options, colors, tooltip, width }) => {
    const bars = [...data.steps.map((s) => ({ ...s, total: false })), { label: data.total.label, value: data.total.value, kind: 'constant' as WaterfallKind, total: true }];
    const longest = d3.max(bars, (b) => clip(b.label, 14).length) ?? 4;
    const area = plotArea(svg, colors, width, options.height, { top: 22, right: 12, bottom: Math.min(96, 18 + longest * 5), left: 62 });
    const { g, w, h } = area;
    let running = 0;
    const spans = bars.map((b) => {
      if (b.total) return [0, b.value] as const;
      const from = running;
      running += b.value;
      return [from, running] as const;
    });
    const extent = d3.extent(spans.flat().concat(0)) as [number, number];
    const y = d3.scaleLinear().domain(extent).nice().range([h, 0]);
    const x = d3.scaleBand().domain(bars.map((_, i) => String(i))).range([0, w]).padding(0.15);
    gridLines(area, y.ticks(6), y, colors);
    g.append('line').attr('x1', 0).attr('x2', w).attr('y1', y(0)).attr('y2', y(0)).attr('stroke', colors.muted);
    leftAxis(area, d3.axisLeft(y).ticks(6).tickSizeOuter(0), colors);
    yTitle(area, data.yLabel, colors, 48);
    const every = Math.max(1, Math.ceil(bars.length / Math.max(1, Math.floor(w / 14))));
    const axis = bottomAxis(area, d3.axisBottom(x).tickValues(x.domain().filter((_, i) => i % every === 0 || i === bars.length - 1))
      .tickFormat((i) => clip(bars[Number(i)].label, 14)).tickSizeOuter(0), colors);
    axis.selectAll('text').attr('text-anchor', 'end').attr('transform', 'rotate(-55)').attr('dx', '-0.5em').attr('dy', '0.2em');
    bars.forEach((b, i) => {
      const [from, to] = spans[i];
      const xx = x(String(i)) ?? 0;
      const color = waterfallColor(colors, b.total ? 'total' : b.kind);
      const show = (event: MouseEvent) => tooltip.show(b.label, [
        `${b.total ? data.yLabel : `contribution (${kindNames[b.kind]})`}: ${fmt(b.value, 4)}`,
        ...(b.total ? [] : [`running sum: ${fmt(to, 4)}`]),
      ], event.clientX, event.clientY);
      const rect = g.append('rect').attr('class', b.total ? 'bar total' : 'bar').attr('data-step', b.label).attr('x', xx).attr('width', x.bandwidth())
        .attr('y', y(Math.max(from, to))).attr('height', Math.max(1, Math.abs(y(from) - y(to))))
        .attr('fill', color).attr('fill-opacity', b.value >= 0 ? 0.85 : 0.45).attr('stroke', color)
        .on('mousemove', show).on('mouseleave', () => tooltip.hide());
      const step = data.steps[i];
      if (!b.total && options.onSelect && step) rect.style('cursor', 'pointer').on('click', () => options.onSelect?.(step));
      if (i < bars.length - 1 && x.bandwidth() >= 3) {
        const next = x(String(i + 1)) ?? 0;
        g.append('line').attr('class', 'connector').attr('x1', xx + x.bandwidth()).attr('x2', next).attr('y1', y(to)).attr('y2', y(to))
          .attr('stroke', colors.muted).attr('stroke-dasharray', '2,2');
      }
    });
    inlineLegend(g, (['embed', 'attn', 'mlp', 'constant'] as const).filter((k) => data.steps.some((s) => s.kind === k))
      .map((k) => ({ label: kindNames[k], color: waterfallColor(colors, k) })), w, -8);
  });
}

/** Tracked, so a card can pin the chart to the side view (see spec.ts). */
export const waterfall = tracked('waterfall', drawWaterfall);
