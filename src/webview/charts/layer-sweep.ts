// Statistics over layers (the attention job's layer sweep): one line per series, one point per
// layer, undefined values left as gaps, and the layer the rest of the panel shows marked by a
// dashed vertical line. The y range is fitted to the data (selectivity indices sit near 1, so a
// range anchored at 0 would flatten them).
import * as d3 from 'd3';
import { type Chart, fmt } from './common';
import { bottomAxis, gridLines, inlineLegend, leftAxis, plotArea, svgChart, xTitle, yTitle } from './frame';
import { tracked } from './spec';

export interface SweepSeries { name: string; values: (number | null)[] }
export interface LayerSweepData {
  layers: number[];
  series: SweepSeries[];
  /** The layer the panel's other charts show; marked, absent when none. */
  current?: number;
  yLabel: string;
  /** A horizontal reference line, e.g. 1 for a selectivity index (no category structure). */
  reference?: number;
}
/** onSelect: a point was clicked (the Inspector then shows that layer). */
export interface LayerSweepOptions { height: number; onSelect?: (layer: number) => void }

function drawLayerSweep(container: HTMLElement, data: LayerSweepData, options: Partial<LayerSweepOptions> = {}): Chart<LayerSweepData, LayerSweepOptions> {
  return svgChart(container, 'ml-layer-sweep', data, { height: 260, ...options }, 280, ({ svg, data, options, colors, tooltip, width }) => {
    // Two rows above the plot: the legend, then the current layer's label, so they never overlap.
    const area = plotArea(svg, colors, width, options.height, { top: 40, right: 16, bottom: 40, left: 62 });
    const { g, w, h } = area;
    const defined = data.series.flatMap((s) => s.values.filter((v): v is number => v !== null && Number.isFinite(v)));
    if (data.reference !== undefined) defined.push(data.reference);
    let [lo, hi] = d3.extent(defined) as [number | undefined, number | undefined];
    if (lo === undefined || hi === undefined) { lo = 0; hi = 1; }
    if (hi - lo < 1e-9) { lo -= 0.5; hi += 0.5; }
    const pad = (hi - lo) * 0.08;
    const x = d3.scaleLinear().domain([d3.min(data.layers) ?? 0, Math.max((d3.max(data.layers) ?? 0), (d3.min(data.layers) ?? 0) + 1)]).range([0, w]);
    const y = d3.scaleLinear().domain([lo - pad, hi + pad]).nice().range([h, 0]);
    gridLines(area, y.ticks(5), y, colors);
    if (data.reference !== undefined) {
      g.append('line').attr('class', 'reference').attr('x1', 0).attr('x2', w).attr('y1', y(data.reference)).attr('y2', y(data.reference)).attr('stroke', colors.muted);
    }
    bottomAxis(area, d3.axisBottom(x).tickValues(data.layers.length <= 30 ? data.layers : x.ticks(12)).tickFormat(d3.format('d')).tickSizeOuter(0), colors);
    leftAxis(area, d3.axisLeft(y).ticks(5).tickSizeOuter(0), colors);
    xTitle(area, 'layer', colors);
    yTitle(area, data.yLabel, colors, 48);
    if (data.current !== undefined) {
      g.append('line').attr('class', 'current-layer').attr('x1', x(data.current)).attr('x2', x(data.current)).attr('y1', -4).attr('y2', h)
        .attr('stroke', colors.focus).attr('stroke-dasharray', '4,3').attr('stroke-width', 1.5);
      g.append('text').attr('class', 'current-layer-label').attr('x', x(data.current)).attr('y', -8).attr('text-anchor', 'middle')
        .attr('fill', colors.focus).text(`layer ${data.current}`);
    }
    // Legend on the top row, right-aligned, one entry per series.
    inlineLegend(g, data.series.map((s, si) => ({ label: s.name, color: colors.series[si % colors.series.length] })), w, -24);

    data.series.forEach((s, si) => {
      const color = colors.series[si % colors.series.length];
      const sg = g.append('g').attr('class', 'sweep-series').attr('data-series', s.name);
      const points = data.layers.map((layer, k) => ({ layer, value: s.values[k] ?? null }));
      sg.append('path').attr('class', 'sweep-line').attr('fill', 'none').attr('stroke', color).attr('stroke-width', 1.8)
        .attr('d', d3.line<{ layer: number; value: number | null }>().defined((p) => p.value !== null && Number.isFinite(p.value))
          .x((p) => x(p.layer)).y((p) => y(p.value as number))(points));
      sg.selectAll('circle').data(points.filter((p) => p.value !== null && Number.isFinite(p.value))).join('circle')
        .attr('class', 'sweep-point').attr('data-layer', (p) => p.layer)
        .attr('cx', (p) => x(p.layer)).attr('cy', (p) => y(p.value as number)).attr('r', (p) => (p.layer === data.current ? 4.5 : 3))
        .attr('fill', color).attr('stroke', colors.background).attr('stroke-width', 1)
        .on('mousemove', (event: MouseEvent, p) => tooltip.show(`${s.name} · layer ${p.layer}`, [`${data.yLabel}: ${fmt(p.value, 4)}`], event.clientX, event.clientY))
        .on('mouseleave', () => tooltip.hide())
        .on('click', (_event: MouseEvent, p) => options.onSelect?.(p.layer))
        .style('cursor', options.onSelect ? 'pointer' : 'default');
    });
  });
}

/** Tracked, so a card can pin the chart to the side view (see spec.ts). */
export const layerSweep = tracked('layerSweep', drawLayerSweep);
