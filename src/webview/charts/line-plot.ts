// One word's vector in each space. The spaces have different dimensionalities, so each gets its
// own small panel (x = dimension index) stacked with a shared layout; values are drawn as a line
// with a zero line, and hover reads out the dimension.
import * as d3 from 'd3';
import { type Chart, Tooltip, availableWidth, fmt, onWidthChange, svgDocument, themeColors } from './common';

export interface LineSeries { name: string; values: ArrayLike<number> }
export interface LinePlotData { title?: string; series: LineSeries[] }
export interface LinePlotOptions { panelHeight: number; xLabel: string }

export function linePlot(container: HTMLElement, initialData: LinePlotData, initialOptions: Partial<LinePlotOptions> = {}): Chart<LinePlotData, LinePlotOptions> {
  let data = initialData;
  let options: LinePlotOptions = { panelHeight: 150, xLabel: 'dimension', ...initialOptions };
  let colors = themeColors(container);
  const root = document.createElement('div');
  root.className = 'ml-chart ml-line-plot';
  container.appendChild(root);
  const svg = d3.select(root).append('svg');
  const tooltip = new Tooltip();

  function render(): void {
    colors = themeColors(container);
    const width = Math.max(300, availableWidth(container));
    const margin = { top: data.title ? 22 : 6, right: 14, bottom: 36, left: 54 };
    const gap = 46;
    const w = width - margin.left - margin.right;
    const ph = options.panelHeight;
    const height = margin.top + data.series.length * ph + (data.series.length - 1) * gap + margin.bottom;
    svg.selectAll('*').remove();
    svg.attr('width', width).attr('height', height).attr('viewBox', `0 0 ${width} ${height}`).attr('font-size', 11).attr('fill', colors.foreground);
    if (data.title) svg.append('text').attr('class', 'line-title').attr('x', margin.left).attr('y', 14).attr('font-weight', 600).text(data.title);

    data.series.forEach((series, si) => {
      const values = Array.from(series.values);
      const top = margin.top + si * (ph + gap);
      const g = svg.append('g').attr('class', 'line-panel').attr('transform', `translate(${margin.left},${top})`);
      const x = d3.scaleLinear().domain([0, Math.max(1, values.length - 1)]).range([0, w]);
      const ext = d3.extent(values) as [number | undefined, number | undefined];
      const lim = Math.max(Math.abs(ext[0] ?? 1), Math.abs(ext[1] ?? 1)) || 1;
      const y = d3.scaleLinear().domain([-lim, lim]).nice().range([ph, 0]);
      g.append('g').attr('stroke', colors.grid).attr('stroke-opacity', 0.3).selectAll('line').data(y.ticks(4)).join('line')
        .attr('x1', 0).attr('x2', w).attr('y1', (d) => y(d)).attr('y2', (d) => y(d));
      g.append('line').attr('x1', 0).attr('x2', w).attr('y1', y(0)).attr('y2', y(0)).attr('stroke', colors.muted);
      const xa = g.append('g').attr('transform', `translate(0,${ph})`).call(d3.axisBottom(x).ticks(Math.min(10, values.length)).tickFormat(d3.format('d')).tickSizeOuter(0));
      const ya = g.append('g').call(d3.axisLeft(y).ticks(4).tickSizeOuter(0));
      for (const a of [xa, ya]) {
        a.attr('font-family', null).attr('font-size', 10);
        a.selectAll('path,line').attr('stroke', colors.muted);
        a.selectAll('text').attr('fill', colors.foreground);
      }
      const color = colors.series[si % colors.series.length];
      g.append('path').attr('class', 'vector-line').attr('fill', 'none').attr('stroke', color).attr('stroke-width', values.length > 400 ? 1 : 1.5)
        .attr('d', d3.line<number>().x((_, k) => x(k)).y((v) => y(v))(values));
      if (values.length <= 80) {
        g.append('g').selectAll('circle').data(values).join('circle').attr('cx', (_, k) => x(k)).attr('cy', (v) => y(v)).attr('r', 2).attr('fill', color);
      }
      g.append('text').attr('class', 'series-name').attr('x', w).attr('y', -6).attr('text-anchor', 'end').attr('font-weight', 600).attr('fill', color)
        .text(`${series.name} (${values.length} dims, ‖v‖ = ${fmt(Math.hypot(...values), 2)})`);
      if (si === data.series.length - 1) {
        g.append('text').attr('x', w / 2).attr('y', ph + 30).attr('text-anchor', 'middle').attr('fill', colors.muted).text(options.xLabel);
      }
      g.append('rect').attr('width', w).attr('height', ph).attr('fill', 'transparent').attr('data-export', 'omit')
        .on('mousemove', (event: MouseEvent) => {
          const k = Math.max(0, Math.min(values.length - 1, Math.round(x.invert(d3.pointer(event)[0]))));
          tooltip.show(`${series.name} · dim ${k}`, [`value: ${fmt(values[k], 4)}`], event.clientX, event.clientY);
        })
        .on('mouseleave', () => tooltip.hide());
    });
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
