// Activation image: rows (sentences) × columns (neurons) on a canvas at one pixel per value, scaled
// up without smoothing, on a diverging RdBu scale symmetric around 0 (red positive). SVG on top
// carries the axes, the line between the two groups, the group names, the color legend and the
// hover mark; hover names the sentence, the neuron and the value.
import * as d3 from 'd3';
import { type Chart, clip, fmt } from './common';
import { type ChartFrame, chartFrame } from './frame';

export interface ActivationImageData {
  /** rows × columns. */
  values: number[][];
  /** Label of each row (the sentence). */
  rowLabels: string[];
  /** Rows before this index are group A, the rest group B (no line and no group names without `groups`). */
  split?: number;
  groups?: [string, string];
  columnName?: string;
  /** What a row is, for the axis and the tooltip (default "sentence"; the token map's rows are tokens). */
  rowName?: string;
}

export interface ActivationImageOptions {
  height: number;
  onSelectColumn?: (column: number) => void;
}

export function activationImage(container: HTMLElement, initialData: ActivationImageData, initialOptions: Partial<ActivationImageOptions> = {}): Chart<ActivationImageData, ActivationImageOptions> {
  const canvas = document.createElement('canvas');
  canvas.className = 'activation-canvas';
  canvas.style.position = 'absolute';
  canvas.style.imageRendering = 'pixelated';
  let plot = { width: 0, height: 0 };
  const state = { data: initialData, options: { height: 360, ...initialOptions } };
  return chartFrame(container, 'ml-activation-image', state, {
    layout: (root) => { root.style.position = 'relative'; root.appendChild(canvas); return root; },
    minWidth: 320,
    // The live page shows the canvas under the SVG; an export carries it as an image.
    canvasImage: () => ({ canvas, into: ':scope > g', width: plot.width, height: plot.height, stretch: true, pixelated: true }),
  }, render).chart;

  function render({ svg, data, options, colors, tooltip, width }: ChartFrame<ActivationImageData, ActivationImageOptions>): void {
    svg.style('position', 'relative');
    const rows = data.values.length;
    const cols = rows ? data.values[0].length : 0;
    const margin = { top: 8, right: 16, bottom: 62, left: 62 };
    const w = width - margin.left - margin.right;
    const h = options.height - margin.top - margin.bottom;
    let lim = 0;
    for (const row of data.values) for (const v of row) if (Math.abs(v) > lim && Number.isFinite(v)) lim = Math.abs(v);
    lim = lim || 1;
    const color = d3.scaleDiverging((t: number) => d3.interpolateRdBu(1 - t)).domain([-lim, 0, lim]);

    canvas.width = cols;
    canvas.height = rows;
    canvas.style.left = `${margin.left}px`;
    canvas.style.top = `${margin.top}px`;
    canvas.style.width = `${w}px`;
    canvas.style.height = `${h}px`;
    const ctx = canvas.getContext('2d');
    if (ctx && rows && cols) {
      // A 512-step lookup table: a 4,096-neuron layer is ~450k cells, too many for a color parse each.
      const steps = 512;
      const lut = new Uint8ClampedArray(steps * 3);
      for (let s = 0; s < steps; s++) {
        const c = d3.rgb(color(-lim + (2 * lim * s) / (steps - 1)));
        lut[s * 3] = c.r; lut[s * 3 + 1] = c.g; lut[s * 3 + 2] = c.b;
      }
      const image = ctx.createImageData(cols, rows);
      const px = image.data;
      for (let i = 0; i < rows; i++) {
        const row = data.values[i];
        for (let j = 0; j < cols; j++) {
          const v = row[j];
          const k = (i * cols + j) * 4;
          // Non-finite values stay transparent, so the card background shows through.
          if (v - v !== 0) continue;
          const s = Math.max(0, Math.min(steps - 1, Math.round(((v + lim) / (2 * lim)) * (steps - 1)))) * 3;
          px[k] = lut[s]; px[k + 1] = lut[s + 1]; px[k + 2] = lut[s + 2]; px[k + 3] = 255;
        }
      }
      ctx.putImageData(image, 0, 0);
    }

    svg.selectAll('*').remove();
    svg.attr('width', width).attr('height', options.height).attr('viewBox', `0 0 ${width} ${options.height}`).attr('font-size', 11).attr('fill', colors.foreground);
    const x = d3.scaleLinear().domain([0, cols]).range([0, w]);
    const y = d3.scaleLinear().domain([0, rows]).range([0, h]);
    const g = svg.append('g').attr('transform', `translate(${margin.left},${margin.top})`);
    plot = { width: w, height: h };
    const xa = g.append('g').attr('transform', `translate(0,${h})`).call(d3.axisBottom(x).ticks(Math.min(10, cols)).tickFormat(d3.format('d')).tickSizeOuter(0));
    const ya = g.append('g').call(d3.axisLeft(y).ticks(Math.min(8, rows)).tickFormat(d3.format('d')).tickSizeOuter(0));
    for (const a of [xa, ya]) {
      a.attr('font-family', null).attr('font-size', 10);
      a.selectAll('path,line').attr('stroke', colors.muted);
      a.selectAll('text').attr('fill', colors.foreground);
    }
    g.append('text').attr('x', w / 2).attr('y', h + 30).attr('text-anchor', 'middle').attr('fill', colors.muted).text(data.columnName ?? 'neuron');
    g.append('text').attr('transform', `translate(${-44},${h / 2}) rotate(-90)`).attr('text-anchor', 'middle').attr('fill', colors.muted).text(data.rowName ?? 'sentence');
    const groups = data.groups;
    const split = data.split ?? rows;
    // A dark casing under a bright line keeps the split visible over both ends of the color scale.
    if (groups) g.append('line').attr('class', 'group-split-casing').attr('x1', -6).attr('x2', w).attr('y1', y(split)).attr('y2', y(split))
      .attr('stroke', '#000000').attr('stroke-opacity', 0.75).attr('stroke-width', 4);
    if (groups) g.append('line').attr('class', 'group-split').attr('x1', -6).attr('x2', w).attr('y1', y(split)).attr('y2', y(split))
      .attr('stroke', '#ffffff').attr('stroke-width', 1.5);
    for (const [k, name] of (groups ?? []).entries()) {
      const mid = k === 0 ? split / 2 : (split + rows) / 2;
      g.append('text').attr('class', 'group-label').attr('x', -30).attr('y', y(mid)).attr('dy', '0.35em').attr('text-anchor', 'end')
        .attr('font-weight', 600).text(clip(name, 8));
    }
    // Legend: the color ramp with its limits.
    const lw = Math.min(220, w / 2);
    const legend = g.append('g').attr('transform', `translate(${w - lw},${h + 42})`);
    const gradientId = `act-grad-${Math.random().toString(36).slice(2)}`;
    const grad = svg.append('defs').append('linearGradient').attr('id', gradientId);
    for (let s = 0; s <= 10; s++) grad.append('stop').attr('offset', `${s * 10}%`).attr('stop-color', color(-lim + (2 * lim * s) / 10));
    legend.append('rect').attr('width', lw).attr('height', 8).attr('fill', `url(#${gradientId})`);
    legend.append('text').attr('x', -6).attr('y', 8).attr('text-anchor', 'end').attr('font-size', 10).text(fmt(-lim, 2));
    legend.append('text').attr('x', lw + 4).attr('y', 8).attr('font-size', 10).text(fmt(lim, 2));
    const mark = g.append('rect').attr('class', 'hover-mark').attr('fill', 'none').attr('stroke', colors.focus).attr('stroke-width', 1.5)
      .attr('data-export', 'omit').attr('visibility', 'hidden');
    g.append('rect').attr('class', 'overlay').attr('width', w).attr('height', h).attr('fill', 'transparent').attr('data-export', 'omit')
      .style('cursor', 'crosshair')
      .on('mousemove', (event: MouseEvent) => {
        const [px, py] = d3.pointer(event);
        const j = Math.max(0, Math.min(cols - 1, Math.floor(x.invert(px))));
        const i = Math.max(0, Math.min(rows - 1, Math.floor(y.invert(py))));
        mark.attr('visibility', 'visible').attr('x', x(j)).attr('y', y(i)).attr('width', Math.max(2, x(j + 1) - x(j))).attr('height', Math.max(2, y(i + 1) - y(i)));
        tooltip.show(`${data.columnName ?? 'neuron'} ${j} · ${data.rowName ?? 'sentence'} ${i + 1}`, [data.rowLabels[i] ?? '',
          ...(groups ? [`group: ${i < split ? groups[0] : groups[1]}`] : []), `value: ${fmt(data.values[i][j], 4)}`], event.clientX, event.clientY);
      })
      .on('mouseleave', () => { mark.attr('visibility', 'hidden'); tooltip.hide(); })
      .on('click', (event: MouseEvent) => {
        const j = Math.max(0, Math.min(cols - 1, Math.floor(x.invert(d3.pointer(event)[0]))));
        options.onSelectColumn?.(j);
      });
  }
}
