// A layers × heads grid of values on a diverging palette centred on zero (the heatmap setting's
// palette when it is diverging, else RdBu), with a colour legend, a tooltip per cell, and a click
// that names the head. Logit attribution's per-head direct effects.
import * as d3 from 'd3';
import { type Chart, fmt } from './common';
import { plotArea, svgChart } from './frame';
import { readHeatmapSettings } from './heatmap-settings';
import { type DivergingPalette, divergingInterpolator, isDivergingPalette } from './palettes';
import { tracked } from './spec';

export interface HeadGridData { values: number[][]; valueLabel: string }
export interface HeadGridOptions { palette: DivergingPalette; maxCell: number; onSelect?: (layer: number, head: number) => void }

function drawHeadValueMap(container: HTMLElement, data: HeadGridData, options: Partial<HeadGridOptions> = {}): Chart<HeadGridData, HeadGridOptions> {
  const setting = readHeatmapSettings().colorScheme;
  const palette = setting && isDivergingPalette(setting) ? setting : 'RdBu';
  return svgChart(container, 'ml-head-value-map', data, { palette, maxCell: 32, ...options }, 240, ({ svg, data, options, colors, tooltip, width }) => {
    const L = data.values.length;
    const H = data.values[0]?.length ?? 0;
    const margin = { top: 24, right: 90, bottom: 34, left: 58 };
    const cell = Math.max(4, Math.min(options.maxCell, Math.floor((width - margin.left - margin.right) / Math.max(1, H))));
    const area = plotArea(svg, colors, margin.left + cell * H + margin.right, margin.top + cell * L + margin.bottom, margin);
    const { g } = area;
    const m = d3.max(data.values.flat(), (v) => Math.abs(v)) || 1;
    const scale = d3.scaleDiverging(divergingInterpolator(options.palette)).domain([-m, 0, m]).clamp(true);
    data.values.forEach((row, l) => row.forEach((v, h) => {
      g.append('rect').attr('class', 'cell').attr('data-layer', l).attr('data-head', h)
        .attr('x', h * cell).attr('y', l * cell).attr('width', cell).attr('height', cell).attr('fill', scale(v)).attr('stroke', colors.background).attr('stroke-width', cell > 8 ? 1 : 0)
        .on('mousemove', (event: MouseEvent) => tooltip.show(`head ${l}.${h}`, [`${data.valueLabel}: ${fmt(v, 4)}`], event.clientX, event.clientY))
        .on('mouseleave', () => tooltip.hide())
        .on('click', () => options.onSelect?.(l, h));
      if (cell >= 30) {
        g.append('text').attr('x', h * cell + cell / 2).attr('y', l * cell + cell / 2).attr('dy', '0.35em').attr('text-anchor', 'middle').attr('font-size', 9)
          .attr('pointer-events', 'none').attr('fill', Math.abs(v) > 0.6 * m ? '#fff' : '#000').text(fmt(v, 2));
      }
    }));
    const every = (n: number) => Math.max(1, Math.ceil(n / Math.max(1, Math.floor((cell * n) / 16))));
    for (let l = 0; l < L; l += every(L)) g.append('text').attr('class', 'row-label').attr('x', -6).attr('y', l * cell + cell / 2).attr('dy', '0.35em').attr('text-anchor', 'end').attr('font-size', 10).text(`L${l}`);
    for (let h = 0; h < H; h += every(H)) g.append('text').attr('class', 'col-label').attr('x', h * cell + cell / 2).attr('y', L * cell + 14).attr('text-anchor', 'middle').attr('font-size', 10).text(`H${h}`);
    g.append('text').attr('x', (H * cell) / 2).attr('y', L * cell + 30).attr('text-anchor', 'middle').attr('fill', colors.muted).text('head');
    g.append('text').attr('transform', `translate(-44,${(L * cell) / 2}) rotate(-90)`).attr('text-anchor', 'middle').attr('fill', colors.muted).text('layer');
    // The colour legend: a vertical gradient from −max to +max.
    const legendH = Math.max(60, Math.min(200, L * cell));
    const id = `head-grid-gradient-${Math.random().toString(36).slice(2)}`;
    const gradient = svg.append('defs').append('linearGradient').attr('id', id).attr('x1', 0).attr('x2', 0).attr('y1', 1).attr('y2', 0);
    d3.range(0, 1.0001, 0.1).forEach((t) => gradient.append('stop').attr('offset', `${t * 100}%`).attr('stop-color', scale(-m + 2 * m * t)));
    const lx = H * cell + 18;
    g.append('rect').attr('x', lx).attr('y', 0).attr('width', 12).attr('height', legendH).attr('fill', `url(#${id})`).attr('stroke', colors.border);
    const ly = d3.scaleLinear().domain([-m, m]).range([legendH, 0]);
    for (const v of [-m, 0, m]) g.append('text').attr('class', 'legend-label').attr('x', lx + 16).attr('y', ly(v)).attr('dy', '0.35em').attr('font-size', 10).text(fmt(v, 3));
    g.append('text').attr('x', 0).attr('y', -8).attr('fill', colors.muted).text(data.valueLabel);
  });
}

/** Tracked, so a card can pin the chart to the side view (see spec.ts). */
export const headValueMap = tracked('headValueMap', drawHeadValueMap);
