// Within- vs between-category pair similarities per space, as jittered strips. The lines are the
// category-averaged means that define the selectivity index (not the pooled mean of the dots),
// and the index itself is written above each space.
import * as d3 from 'd3';
import { type Chart, fmt, jitter } from './common';
import { gridLines, leftAxis, plotArea, svgChart, yTitle } from './frame';
import { tracked } from './spec';
import { selectivityText } from '../../protocol/selectivity-text';

export interface StripGroup {
  values: ArrayLike<number>;
  /** The pair behind each value, for the tooltip. */
  pairs?: [string, string][];
  /** Where the mean line is drawn; defaults to the mean of `values`. */
  mean?: number | null;
}

export interface StripSpace {
  name: string;
  within: StripGroup;
  between: StripGroup;
  /** Selectivity index written above the space; null prints the reason instead. */
  index: number | null;
  reason?: string;
  /** The index is null because the between mean is ≈ 0: the label reads "n/a (between ≈ 0)" with the two means. */
  betweenNearZero?: boolean;
}

export interface StripPlotData { spaces: StripSpace[] }

export interface StripPlotOptions {
  height: number;
  /** At most this many dots per strip; larger groups show an even subsample (means use all). */
  maxPoints: number;
  yLabel: string;
}

const defaults: StripPlotOptions = { height: 320, maxPoints: 2500, yLabel: 'cosine similarity' };

function drawStripPlot(container: HTMLElement, data: StripPlotData, options: Partial<StripPlotOptions> = {}): Chart<StripPlotData, StripPlotOptions> {
  return svgChart(container, 'ml-strip-plot', data, { ...defaults, ...options }, 280, ({ svg, data, options, colors, tooltip, width }) => {
    const area = plotArea(svg, colors, width, options.height, { top: 34, right: 12, bottom: 40, left: 50 });
    const { g, w, h } = area;

    // Millions of pairs at 2,400 words: one pass over each group, no copy.
    let lo: number | undefined;
    let hi: number | undefined;
    for (const s of data.spaces) {
      for (const values of [s.within.values, s.between.values]) {
        for (let k = 0; k < values.length; k++) {
          const v = values[k];
          if (v === null || !(v <= Infinity)) continue;
          if (lo === undefined || v < lo) lo = v;
          if (hi === undefined || v > hi) hi = v;
        }
      }
    }
    const pad = ((hi ?? 1) - (lo ?? 0)) * 0.06 || 0.1;
    const y = d3.scaleLinear().domain([(lo ?? 0) - pad, (hi ?? 1) + pad]).nice().range([h, 0]);
    const outer = d3.scaleBand().domain(data.spaces.map((_, i) => String(i))).range([0, w]).paddingInner(0.18).paddingOuter(0.05);
    const inner = d3.scaleBand().domain(['within', 'between']).range([0, outer.bandwidth()]).padding(0.2);

    leftAxis(area, d3.axisLeft(y).ticks(6).tickSizeOuter(0), colors).attr('class', 'y-axis');
    gridLines(area, y.ticks(6), y, colors, false, 0.35);
    if (y.domain()[0] < 0 && y.domain()[1] > 0) {
      g.append('line').attr('class', 'zero-line').attr('x1', 0).attr('x2', w).attr('y1', y(0)).attr('y2', y(0))
        .attr('stroke', colors.muted).attr('stroke-dasharray', '3,3');
    }
    yTitle(area, options.yLabel, colors, 38);

    data.spaces.forEach((space, si) => {
      const sx = outer(String(si)) ?? 0;
      const sg = g.append('g').attr('class', 'space').attr('transform', `translate(${sx},0)`);
      sg.append('text').attr('class', 'space-name').attr('x', outer.bandwidth() / 2).attr('y', h + 30)
        .attr('text-anchor', 'middle').attr('font-weight', 600).text(space.name);
      sg.append('text').attr('class', 'selectivity-index').attr('x', outer.bandwidth() / 2).attr('y', -16)
        .attr('text-anchor', 'middle').attr('font-weight', 600)
        .text(indexLabel(space));
      for (const kind of ['within', 'between'] as const) {
        const group = space[kind];
        const bx = inner(kind) ?? 0;
        const bw = inner.bandwidth();
        const color = kind === 'within' ? colors.within : colors.between;
        sg.append('text').attr('x', bx + bw / 2).attr('y', h + 14).attr('text-anchor', 'middle').attr('fill', colors.muted).text(kind);
        const pts = sg.append('g').attr('class', `points points-${kind}`);
        const total = group.values.length;
        const stride = Math.max(1, Math.ceil(total / options.maxPoints));
        const shown = d3.range(0, total, stride);
        const r = shown.length > 400 ? 1.6 : 2.6;
        pts.selectAll('circle').data(shown).join('circle')
          .attr('cx', (k) => bx + bw / 2 + jitter(k + si * 7919) * bw * 0.8)
          .attr('cy', (k) => y(group.values[k])).attr('r', r)
          .attr('fill', color).attr('fill-opacity', shown.length > 400 ? 0.35 : 0.6)
          .on('mousemove', (event: MouseEvent, k) => {
            const pair = group.pairs?.[k];
            tooltip.show(pair ? `${pair[0]} × ${pair[1]}` : kind, [`${space.name}: ${fmt(group.values[k])}`, `${kind} (${total} pairs)`], event.clientX, event.clientY);
          })
          .on('mouseleave', () => tooltip.hide());
        if (stride > 1) {
          sg.append('text').attr('x', bx + bw / 2).attr('y', h + 25).attr('text-anchor', 'middle').attr('font-size', 9)
            .attr('fill', colors.muted).text(`${shown.length} of ${total}`);
        }
        const mean = group.mean ?? d3.mean(Array.from(group.values)) ?? null;
        if (mean !== null && Number.isFinite(mean)) {
          sg.append('line').attr('class', `mean mean-${kind}`).attr('x1', bx - 4).attr('x2', bx + bw + 4)
            .attr('y1', y(mean)).attr('y2', y(mean)).attr('stroke', colors.foreground).attr('stroke-width', 2.5);
          sg.append('text').attr('class', `mean-label mean-label-${kind}`).attr('x', bx + bw + 6).attr('y', y(mean)).attr('dy', '0.35em')
            .attr('font-size', 10).text(fmt(mean, 2));
        }
      }
    });
  });
}

function indexLabel(space: StripSpace): string {
  if (space.index === null && !space.betweenNearZero) return `index undefined${space.reason ? `: ${space.reason}` : ''}`;
  const means = { within: space.within.mean ?? d3.mean(Array.from(space.within.values)) ?? null, between: space.between.mean ?? d3.mean(Array.from(space.between.values)) ?? null };
  return selectivityText({ index: space.index, betweenNearZero: space.betweenNearZero, ...means });
}

/** Tracked, so a card can pin the chart to the side view (see spec.ts). */
export const stripPlot = tracked('stripPlot', drawStripPlot);
