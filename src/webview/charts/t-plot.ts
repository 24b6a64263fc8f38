// t against neuron index, as in the course notebook: significant neurons as filled circles, the
// rest as small crosses, dashed threshold lines at ±t_crit. Hover reads out t, p and d; click
// picks the neuron. One SVG mark per neuron (a 4,096-neuron layer is still fine as SVG paths).
import * as d3 from 'd3';
import { type Chart, fmt, fmtP } from './common';
import { bottomAxis, gridLines, leftAxis, plotArea, svgChart, xTitle, yTitle } from './frame';
import { tracked } from './spec';

function textLen(g: d3.Selection<SVGGElement, unknown, null, undefined>): number {
  const node = g.select<SVGTextElement>('text.threshold-label').node();
  return node ? node.getComputedTextLength() : 0;
}

export interface TPlotData {
  t: number[];
  p: number[];
  pAdjusted: number[];
  cohenD: number[];
  significant: number[];
  /** |t| of the threshold lines; null draws none. */
  tCritical: number | null;
  thresholdLabel?: string;
  /** Group names for the legend: t > 0 means the first is higher. */
  groups?: [string, string];
}

export interface TPlotOptions {
  height: number;
  selected: number | null;
  onSelect?: (neuron: number) => void;
}

function drawTPlot(container: HTMLElement, data: TPlotData, options: Partial<TPlotOptions> = {}): Chart<TPlotData, TPlotOptions> {
  const defaults: TPlotOptions = { height: 300, selected: null };
  return svgChart(container, 'ml-t-plot', data, { ...defaults, ...options }, 320, ({ svg, data, options, colors, tooltip, width }) => {
    const n = data.t.length;
    const margin = { top: 22, right: 16, bottom: 40, left: 50 };
    const area = plotArea(svg, colors, width, options.height, margin);
    const { g, w, h } = area;
    const sig = new Set(data.significant);
    const finite = data.t.filter((v) => Number.isFinite(v));
    const lim = Math.max(d3.max(finite, (v) => Math.abs(v)) ?? 1, data.tCritical ?? 0) * 1.05 || 1;
    const x = d3.scaleLinear().domain([0, Math.max(1, n - 1)]).range([0, w]);
    const y = d3.scaleLinear().domain([-lim, lim]).nice().range([h, 0]);
    gridLines(area, y.ticks(6), y, colors);
    g.append('line').attr('x1', 0).attr('x2', w).attr('y1', y(0)).attr('y2', y(0)).attr('stroke', colors.muted);
    bottomAxis(area, d3.axisBottom(x).ticks(10).tickFormat(d3.format('d')).tickSizeOuter(0), colors);
    leftAxis(area, d3.axisLeft(y).ticks(6).tickSizeOuter(0), colors);
    xTitle(area, 'neuron', colors);
    yTitle(area, 't', colors, 36);
    if (data.tCritical !== null && Number.isFinite(data.tCritical)) {
      const tc = data.tCritical;
      g.append('g').attr('class', 'thresholds').selectAll('line').data([tc, -tc]).join('line')
        .attr('x1', 0).attr('x2', w).attr('y1', (d) => y(d)).attr('y2', (d) => y(d))
        .attr('stroke', colors.warning).attr('stroke-dasharray', '5,4').attr('stroke-width', 1.2);
      // In the legend row, not on the line: the line runs through the densest band of marks.
      const label = svg.append('g').attr('transform', `translate(${margin.left + w},12)`);
      label.append('text').attr('class', 'threshold-label').attr('text-anchor', 'end').attr('dy', '0.35em').attr('fill', colors.warning)
        .text(`±t_crit = ${fmt(tc, 2)}${data.thresholdLabel ? ` (${data.thresholdLabel})` : ''}`);
      label.append('line').attr('x1', -textLen(label) - 30).attr('x2', -textLen(label) - 8).attr('stroke', colors.warning).attr('stroke-dasharray', '5,4').attr('stroke-width', 1.2);
    }
    // Blue above zero, red below: the t-SNE map colors the same t on RdBu, where high is blue.
    const up = colors.series[0];
    const down = colors.series[4];
    const r = n > 1500 ? 1.6 : 2.6;
    const s = n > 1500 ? 1.5 : 2.5;
    const cross = `M${-s},${-s}L${s},${s}M${-s},${s}L${s},${-s}`;
    const marks = g.append('g').attr('class', 'marks');
    data.t.forEach((t, i) => {
      if (!Number.isFinite(t)) return;
      const color = t >= 0 ? up : down;
      const at = `translate(${x(i)},${y(t)})`;
      if (sig.has(i)) marks.append('circle').attr('class', 'mark sig').attr('r', r).attr('fill', color).attr('transform', at).attr('data-neuron', i);
      else marks.append('path').attr('class', 'mark nonsig').attr('d', cross).attr('stroke', colors.muted).attr('stroke-width', 1).attr('fill', 'none').attr('transform', at).attr('data-neuron', i);
    });
    if (options.selected !== null && Number.isFinite(data.t[options.selected])) {
      g.append('circle').attr('class', 'selected-mark').attr('cx', x(options.selected)).attr('cy', y(data.t[options.selected]))
        .attr('r', 6).attr('fill', 'none').attr('stroke', colors.focus).attr('stroke-width', 2);
    }
    const legend = svg.append('g').attr('transform', `translate(${margin.left},12)`);
    const higher = data.significant.filter((i) => data.t[i] > 0).length;
    const [nameA, nameB] = data.groups ?? ['A', 'B'];
    const entries: [string, string][] = [
      [up, `significant, ${nameA} higher (${higher})`], [down, `significant, ${nameB} higher (${data.significant.length - higher})`],
      ['', `not significant (${n - data.significant.length})`],
    ];
    let lx = 0;
    for (const [color, text] of entries) {
      if (color) legend.append('circle').attr('cx', lx + 4).attr('r', 3).attr('fill', color);
      else legend.append('path').attr('d', cross).attr('transform', `translate(${lx + 4},0)`).attr('stroke', colors.muted).attr('fill', 'none');
      const label = legend.append('text').attr('class', 'legend-label').attr('x', lx + 12).attr('dy', '0.35em').text(text);
      lx += 12 + (label.node()?.getComputedTextLength() ?? text.length * 6) + 18;
    }
    const hover = g.append('circle').attr('r', 5).attr('fill', 'none').attr('stroke', colors.focus).attr('visibility', 'hidden').attr('data-export', 'omit');
    const nearest = (px: number) => Math.max(0, Math.min(n - 1, Math.round(x.invert(px))));
    g.append('rect').attr('class', 'overlay').attr('width', w).attr('height', h).attr('fill', 'transparent').attr('data-export', 'omit')
      .on('mousemove', (event: MouseEvent) => {
        const [px, py] = d3.pointer(event);
        // Pick among the neurons under the pointer's column the one closest in t.
        let best = nearest(px);
        const span = Math.max(1, Math.round((6 * n) / w));
        for (let k = Math.max(0, best - span); k <= Math.min(n - 1, best + span); k++) {
          if (Math.hypot(x(k) - px, y(data.t[k]) - py) < Math.hypot(x(best) - px, y(data.t[best]) - py)) best = k;
        }
        hover.attr('visibility', 'visible').attr('cx', x(best)).attr('cy', y(data.t[best]));
        tooltip.show(`neuron ${best}${sig.has(best) ? ' · significant' : ''}`,
          [`t = ${fmt(data.t[best])}`, `p = ${fmtP(data.p[best])}`, `adjusted p = ${fmtP(data.pAdjusted[best])}`, `Cohen's d = ${fmt(data.cohenD[best])}`],
          event.clientX, event.clientY);
      })
      .on('mouseleave', () => { hover.attr('visibility', 'hidden'); tooltip.hide(); })
      .on('click', () => {
        const cx = Number(hover.attr('cx'));
        if (Number.isFinite(cx)) options.onSelect?.(nearest(cx));
      });
  });
}

/** Tracked, so a card can pin the chart to the side view (see spec.ts). */
export const tPlot = tracked('tPlot', drawTPlot);
