// One value per attention head as vertical bars on a fixed [-1, 1] axis (RSA r), with a dashed line
// for the value over all heads together and a tooltip that adds each head's other statistics.
import * as d3 from 'd3';
import { type Chart, Tooltip, availableWidth, fmt, onWidthChange, svgDocument, themeColors } from './common';

export interface HeadBar { head: number; value: number | null; details: string[] }
export interface HeadBarsData { heads: HeadBar[]; overall?: number | null; overallLabel?: string; yLabel: string }
export interface HeadBarsOptions { height: number }

export function headBars(container: HTMLElement, initialData: HeadBarsData, initialOptions: Partial<HeadBarsOptions> = {}): Chart<HeadBarsData, HeadBarsOptions> {
  let data = initialData;
  let options: HeadBarsOptions = { height: 240, ...initialOptions };
  let colors = themeColors(container);
  const root = document.createElement('div');
  root.className = 'ml-chart ml-head-bars';
  container.appendChild(root);
  const svg = d3.select(root).append('svg');
  const tooltip = new Tooltip();

  function render(): void {
    colors = themeColors(container);
    const width = Math.max(260, availableWidth(container));
    const margin = { top: 14, right: 14, bottom: 40, left: 50 };
    const w = width - margin.left - margin.right;
    const h = options.height - margin.top - margin.bottom;
    svg.selectAll('*').remove();
    svg.attr('width', width).attr('height', options.height).attr('viewBox', `0 0 ${width} ${options.height}`).attr('font-size', 11).attr('fill', colors.foreground);
    const x = d3.scaleBand().domain(data.heads.map((b) => String(b.head))).range([0, w]).padding(0.2);
    const y = d3.scaleLinear().domain([-1, 1]).range([h, 0]);
    const g = svg.append('g').attr('transform', `translate(${margin.left},${margin.top})`);
    g.append('g').attr('class', 'grid').attr('stroke', colors.grid).attr('stroke-opacity', 0.3).selectAll('line').data(y.ticks(8)).join('line')
      .attr('x1', 0).attr('x2', w).attr('y1', (d) => y(d)).attr('y2', (d) => y(d));
    g.append('line').attr('x1', 0).attr('x2', w).attr('y1', y(0)).attr('y2', y(0)).attr('stroke', colors.muted);
    const every = Math.max(1, Math.ceil(data.heads.length / Math.max(1, Math.floor(w / 28))));
    const xa = g.append('g').attr('transform', `translate(0,${h})`)
      .call(d3.axisBottom(x).tickValues(x.domain().filter((_, i) => i % every === 0)).tickSizeOuter(0));
    const ya = g.append('g').call(d3.axisLeft(y).ticks(8).tickSizeOuter(0));
    for (const a of [xa, ya]) {
      a.attr('font-family', null).attr('font-size', 10);
      a.selectAll('path,line').attr('stroke', colors.muted);
      a.selectAll('text').attr('fill', colors.foreground);
    }
    g.append('text').attr('x', w / 2).attr('y', h + 32).attr('text-anchor', 'middle').attr('fill', colors.muted).text('head');
    g.append('text').attr('transform', `translate(${-36},${h / 2}) rotate(-90)`).attr('text-anchor', 'middle').attr('fill', colors.muted).text(data.yLabel);
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
  }

  render();
  const stopResize = onWidthChange(container, render);
  return {
    update(next, nextOptions) {
      if (next) data = next;
      if (nextOptions) options = { ...options, ...nextOptions };
      render();
    },
    destroy() { stopResize(); tooltip.destroy(); root.remove(); },
    exportSvg() { const node = svg.node(); return node ? svgDocument(node, colors) : ''; },
  };
}
