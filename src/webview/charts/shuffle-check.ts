// The label-shuffle check: how many neurons come out significant when the group labels are
// shuffled (bars, one per count), against the real count (a line), with the permutation p.
import * as d3 from 'd3';
import { type Chart, Tooltip, availableWidth, fmtP, onWidthChange, svgDocument, themeColors } from './common';

export interface ShuffleCheckData { counts: number[]; observed: number; pValue: number; meanShuffled: number }
export interface ShuffleCheckOptions { height: number }

export function shuffleCheck(container: HTMLElement, initialData: ShuffleCheckData, initialOptions: Partial<ShuffleCheckOptions> = {}): Chart<ShuffleCheckData, ShuffleCheckOptions> {
  let data = initialData;
  let options: ShuffleCheckOptions = { height: 240, ...initialOptions };
  let colors = themeColors(container);
  const root = document.createElement('div');
  root.className = 'ml-chart ml-shuffle-check';
  container.appendChild(root);
  const svg = d3.select(root).append('svg');
  const tooltip = new Tooltip();

  function render(): void {
    colors = themeColors(container);
    const width = Math.max(280, availableWidth(container));
    const margin = { top: 28, right: 16, bottom: 40, left: 46 };
    const w = width - margin.left - margin.right;
    const h = options.height - margin.top - margin.bottom;
    const maxCount = Math.max(data.observed, d3.max(data.counts) ?? 0);
    const x = d3.scaleLinear().domain([0, maxCount + 1]).nice().range([0, w]);
    const bin = d3.bin().domain(x.domain() as [number, number]).thresholds(Math.min(40, Math.max(5, Math.ceil(x.domain()[1]))));
    const bins = bin(data.counts);
    const y = d3.scaleLinear().domain([0, d3.max(bins, (b) => b.length) ?? 1]).nice().range([h, 0]);
    svg.selectAll('*').remove();
    svg.attr('width', width).attr('height', options.height).attr('viewBox', `0 0 ${width} ${options.height}`).attr('font-size', 11).attr('fill', colors.foreground);
    const g = svg.append('g').attr('transform', `translate(${margin.left},${margin.top})`);
    const xa = g.append('g').attr('transform', `translate(0,${h})`).call(d3.axisBottom(x).ticks(8).tickFormat(d3.format('d')).tickSizeOuter(0));
    const ya = g.append('g').call(d3.axisLeft(y).ticks(5).tickFormat(d3.format('d')).tickSizeOuter(0));
    for (const a of [xa, ya]) {
      a.attr('font-family', null).attr('font-size', 10);
      a.selectAll('path,line').attr('stroke', colors.muted);
      a.selectAll('text').attr('fill', colors.foreground);
    }
    g.append('text').attr('x', w / 2).attr('y', h + 32).attr('text-anchor', 'middle').attr('fill', colors.muted).text('significant neurons');
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
