// One value per sentence (a neuron's activation, or a sentence's mean over neurons), sentences in
// row order with the two groups colored and split by a line, each group's mean as a dashed line.
// Hover names the sentence.
import * as d3 from 'd3';
import { type Chart, Tooltip, availableWidth, clip, fmt, onWidthChange, svgDocument, themeColors } from './common';

export interface SentenceValuesData {
  values: number[];
  sentences: string[];
  split: number;
  groups: [string, string];
  yLabel: string;
  title?: string;
}

export interface SentenceValuesOptions { height: number }

export function sentenceValues(container: HTMLElement, initialData: SentenceValuesData, initialOptions: Partial<SentenceValuesOptions> = {}): Chart<SentenceValuesData, SentenceValuesOptions> {
  let data = initialData;
  let options: SentenceValuesOptions = { height: 240, ...initialOptions };
  let colors = themeColors(container);
  const root = document.createElement('div');
  root.className = 'ml-chart ml-sentence-values';
  container.appendChild(root);
  const svg = d3.select(root).append('svg');
  const tooltip = new Tooltip();

  function render(): void {
    colors = themeColors(container);
    const n = data.values.length;
    const width = Math.max(300, availableWidth(container));
    const margin = { top: data.title ? 40 : 24, right: 16, bottom: 38, left: 56 };
    const w = width - margin.left - margin.right;
    const h = options.height - margin.top - margin.bottom;
    const finite = data.values.filter((v) => Number.isFinite(v));
    const [lo, hi] = d3.extent(finite) as [number | undefined, number | undefined];
    const pad = ((hi ?? 1) - (lo ?? 0)) * 0.08 || 1;
    const x = d3.scaleLinear().domain([-0.5, n - 0.5]).range([0, w]);
    const y = d3.scaleLinear().domain([(lo ?? 0) - pad, (hi ?? 1) + pad]).nice().range([h, 0]);
    svg.selectAll('*').remove();
    svg.attr('width', width).attr('height', options.height).attr('viewBox', `0 0 ${width} ${options.height}`).attr('font-size', 11).attr('fill', colors.foreground);
    if (data.title) svg.append('text').attr('class', 'values-title').attr('x', margin.left).attr('y', 14).attr('font-weight', 600).text(data.title);
    const g = svg.append('g').attr('transform', `translate(${margin.left},${margin.top})`);
    g.append('g').attr('stroke', colors.grid).attr('stroke-opacity', 0.3).selectAll('line').data(y.ticks(5)).join('line')
      .attr('x1', 0).attr('x2', w).attr('y1', (d) => y(d)).attr('y2', (d) => y(d));
    const xa = g.append('g').attr('transform', `translate(0,${h})`).call(d3.axisBottom(x).ticks(10).tickFormat((d) => String(Number(d) + 1)).tickSizeOuter(0));
    const ya = g.append('g').call(d3.axisLeft(y).ticks(5).tickSizeOuter(0));
    for (const a of [xa, ya]) {
      a.attr('font-family', null).attr('font-size', 10);
      a.selectAll('path,line').attr('stroke', colors.muted);
      a.selectAll('text').attr('fill', colors.foreground);
    }
    g.append('text').attr('x', w / 2).attr('y', h + 31).attr('text-anchor', 'middle').attr('fill', colors.muted).text('sentence');
    g.append('text').attr('transform', `translate(-42,${h / 2}) rotate(-90)`).attr('text-anchor', 'middle').attr('fill', colors.muted).text(data.yLabel);
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
