// RSA scatter: one point per item pair (upper triangle), similarity in space A against space B,
// colored within/between category, with zero lines, the least-squares line and the RSA statistics.
// SVG up to `canvasThreshold` points, canvas above; hover finds the nearest pair either way.
import * as d3 from 'd3';
import { type Chart, type ThemeColors, categoryColor, fmt, fmtP } from './common';
import { type ChartFrame, chartFrame } from './frame';
import { tracked } from './spec';

export interface ScatterStats {
  pearson: number;
  spearman: number;
  cosine: number;
  pValue: number | null;
  permutations?: number;
  n?: number;
}

export interface ScatterData {
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  /** Whether each pair is within one category (colors the point); omit for one color. */
  within?: ArrayLike<boolean>;
  pairs?: [string, string][];
  xLabel: string;
  yLabel: string;
  stats?: ScatterStats;
}

export interface ScatterOptions {
  height: number;
  canvasThreshold: number;
  /** Hover search is skipped above this many points (building the index would stall the page). */
  hoverLimit: number;
  /** Small-multiple layout: tighter margins, fewer ticks. */
  compact: boolean;
  /** The category whose within pairs these are (the per-category small multiples): its category color; null: the first series color. */
  categoryIndex: number | null;
}

const defaults: ScatterOptions = { height: 380, canvasThreshold: 5000, hoverLimit: 300000, compact: false, categoryIndex: null };

export function statsLine(stats: ScatterStats): string {
  const parts = [`r = ${fmt(stats.pearson)}`, `ρ = ${fmt(stats.spearman)}`, `S_c = ${fmt(stats.cosine)}`];
  parts.push(`p = ${fmtP(stats.pValue)}${stats.permutations ? ` (${stats.permutations} perm.)` : ''}`);
  return parts.join(' · ');
}

function drawScatter(container: HTMLElement, initialData: ScatterData, initialOptions: Partial<ScatterOptions> = {}): Chart<ScatterData, ScatterOptions> & { readonly mode: 'svg' | 'canvas' } {
  let data = initialData;
  let options = { ...defaults, ...initialOptions };
  let colors: ThemeColors;
  let mode: 'svg' | 'canvas' = 'svg';
  const canvas = document.createElement('canvas');
  let delaunay: d3.Delaunay<number> | null = null;
  let geometry = { left: 0, top: 0, x: d3.scaleLinear(), y: d3.scaleLinear() };
  const state = { get data() { return data; }, set data(d) { data = d; }, get options() { return options; }, set options(o) { options = o; } };
  let root: HTMLDivElement;
  const { frame, chart } = chartFrame(container, 'ml-scatter', state, {
    layout: (element) => { root = element; root.style.position = 'relative'; return root; },
    canvasImage: () => (mode === 'canvas' ? { canvas, x: geometry.left, y: geometry.top, width: Number(canvas.style.width.replace('px', '')), height: Number(canvas.style.height.replace('px', '')) } : null),
  }, (f) => render(f));
  const { svg, tooltip } = frame;

  function render(f: ChartFrame<ScatterData, ScatterOptions>): void {
    const { svg, tooltip } = f;
    colors = f.colors;
    const n = data.x.length;
    mode = n > options.canvasThreshold ? 'canvas' : 'svg';
    const compact = options.compact;
    const width = Math.max(compact ? 150 : 200, f.width);
    const height = options.height;
    const margin = compact ? { top: 6, right: 8, bottom: 32, left: 40 } : { top: data.stats ? 30 : 10, right: 14, bottom: 42, left: 54 };
    const ticks = compact ? 4 : 6;
    const w = width - margin.left - margin.right;
    const h = height - margin.top - margin.bottom;
    const ext = (a: ArrayLike<number>): [number, number] => {
      const [lo, hi] = d3.extent(Array.from(a)) as [number | undefined, number | undefined];
      // Zero is kept in view (with its reference lines) unless the data sit far from it, as
      // Q/K similarities near 0.95 do: then a zero-anchored axis would squeeze them into a corner.
      const dataLo = lo ?? 0, dataHi = hi ?? 1;
      const farFromZero = Math.min(Math.abs(dataLo), Math.abs(dataHi)) > 2 * (dataHi - dataLo) && Math.sign(dataLo) === Math.sign(dataHi);
      const l = farFromZero ? dataLo : Math.min(dataLo, 0);
      const u = farFromZero ? dataHi : Math.max(dataHi, 0);
      const pad = (u - l) * 0.04 || 0.1;
      return [l - pad, u + pad];
    };
    const x = d3.scaleLinear().domain(ext(data.x)).nice().range([0, w]);
    const y = d3.scaleLinear().domain(ext(data.y)).nice().range([h, 0]);
    geometry = { left: margin.left, top: margin.top, x, y };

    svg.selectAll('*').remove();
    svg.attr('width', width).attr('height', height).attr('viewBox', `0 0 ${width} ${height}`).attr('font-size', 11).attr('fill', colors.foreground);
    const g = svg.append('g').attr('transform', `translate(${margin.left},${margin.top})`);
    const grid = g.append('g').attr('class', 'grid').attr('stroke', colors.grid).attr('stroke-opacity', 0.3);
    grid.selectAll('line.gx').data(x.ticks(ticks)).join('line').attr('class', 'gx').attr('x1', (d) => x(d)).attr('x2', (d) => x(d)).attr('y1', 0).attr('y2', h);
    grid.selectAll('line.gy').data(y.ticks(ticks)).join('line').attr('class', 'gy').attr('y1', (d) => y(d)).attr('y2', (d) => y(d)).attr('x1', 0).attr('x2', w);
    const zero = g.append('g').attr('class', 'zero-lines').attr('stroke', colors.muted).attr('stroke-width', 1);
    const inView = (scale: d3.ScaleLinear<number, number>) => scale.domain()[0] <= 0 && scale.domain()[1] >= 0;
    if (inView(x)) zero.append('line').attr('x1', x(0)).attr('x2', x(0)).attr('y1', 0).attr('y2', h);
    if (inView(y)) zero.append('line').attr('y1', y(0)).attr('y2', y(0)).attr('x1', 0).attr('x2', w);

    const xa = g.append('g').attr('class', 'x-axis').attr('transform', `translate(0,${h})`).call(d3.axisBottom(x).ticks(ticks).tickSizeOuter(0));
    const ya = g.append('g').attr('class', 'y-axis').call(d3.axisLeft(y).ticks(ticks).tickSizeOuter(0));
    for (const a of [xa, ya]) {
      a.attr('font-family', null).attr('font-size', 10);
      a.selectAll('path,line').attr('stroke', colors.muted);
      a.selectAll('text').attr('fill', colors.foreground);
    }
    g.append('text').attr('class', 'x-label').attr('x', w / 2).attr('y', h + (compact ? 28 : 34)).attr('text-anchor', 'middle').attr('fill', colors.muted).text(data.xLabel);
    g.append('text').attr('class', 'y-label').attr('transform', `translate(${compact ? -30 : -42},${h / 2}) rotate(-90)`).attr('text-anchor', 'middle').attr('fill', colors.muted).text(data.yLabel);

    const color = (k: number) => (data.within ? (data.within[k] ? colors.within : colors.between) : (options.categoryIndex === null ? colors.series[0] : categoryColor(colors, options.categoryIndex)));
    if (mode === 'svg') {
      // Between-category points first, so the rarer within points stay visible on top.
      const order = d3.range(n).sort((a, b) => Number(data.within?.[a] ?? 0) - Number(data.within?.[b] ?? 0));
      canvas.remove();
      g.append('g').attr('class', 'points').selectAll('circle').data(order).join('circle')
        .attr('cx', (k) => x(data.x[k])).attr('cy', (k) => y(data.y[k])).attr('r', n > 1500 ? 1.8 : 3)
        .attr('fill', (k) => color(k)).attr('fill-opacity', n > 1500 ? 0.45 : 0.75);
    } else {
      const dpr = window.devicePixelRatio || 1;
      canvas.width = Math.round(w * dpr);
      canvas.height = Math.round(h * dpr);
      Object.assign(canvas.style, { position: 'absolute', left: `${margin.left}px`, top: `${margin.top}px`, width: `${w}px`, height: `${h}px` });
      const ctx = canvas.getContext('2d');
      if (ctx) {
        ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
        ctx.clearRect(0, 0, w, h);
        ctx.globalAlpha = 0.35;
        // One pass per color (between first, within on top), with the scales as plain arithmetic.
        const [x0, x1] = x.domain();
        const [y0, y1] = y.domain();
        const sx = w / (x1 - x0);
        const sy = h / (y1 - y0);
        const passes = data.within ? [0, 1] : [-1];
        const passColor = (pass: number) => (pass === -1 ? color(0) : pass === 1 ? colors.within : colors.between);
        const inPass = (pass: number, k: number) => pass === -1 || Number(data.within?.[k] ?? 0) === pass;
        if (n <= 50000) {
          for (const pass of passes) {
            ctx.fillStyle = passColor(pass);
            for (let k = 0; k < n; k++) if (inPass(pass, k)) ctx.fillRect((data.x[k] - x0) * sx - 1, h - (data.y[k] - y0) * sy - 1, 2, 2);
          }
        } else {
          // Millions of pairs: composite "over" in a premultiplied float buffer instead of one
          // fillRect call per point, which costs microseconds each on a software canvas.
          ctx.setTransform(1, 0, 0, 1, 0, 0);
          ctx.globalAlpha = 1;
          const W = canvas.width;
          const H = canvas.height;
          const acc = new Float32Array(W * H * 4);
          const alpha = 0.35;
          const side = Math.max(1, Math.round(2 * dpr));
          for (const pass of passes) {
            const c = d3.rgb(passColor(pass));
            const pr = c.r * alpha, pg = c.g * alpha, pb = c.b * alpha;
            for (let k = 0; k < n; k++) {
              if (!inPass(pass, k)) continue;
              const px = Math.floor(((data.x[k] - x0) * sx - 1) * dpr);
              const py = Math.floor((h - (data.y[k] - y0) * sy - 1) * dpr);
              for (let dy = 0; dy < side; dy++) {
                const yy = py + dy;
                if (yy < 0 || yy >= H) continue;
                for (let dx = 0; dx < side; dx++) {
                  const xx = px + dx;
                  if (xx < 0 || xx >= W) continue;
                  const o = (yy * W + xx) * 4;
                  acc[o] = pr + acc[o] * (1 - alpha);
                  acc[o + 1] = pg + acc[o + 1] * (1 - alpha);
                  acc[o + 2] = pb + acc[o + 2] * (1 - alpha);
                  acc[o + 3] = alpha + acc[o + 3] * (1 - alpha);
                }
              }
            }
          }
          const image = ctx.createImageData(W, H);
          for (let o = 0; o < acc.length; o += 4) {
            const a = acc[o + 3];
            if (a === 0) continue;
            image.data[o] = acc[o] / a;
            image.data[o + 1] = acc[o + 1] / a;
            image.data[o + 2] = acc[o + 2] / a;
            image.data[o + 3] = a * 255;
          }
          ctx.putImageData(image, 0, 0);
        }
      }
      if (!canvas.isConnected) root.insertBefore(canvas, root.firstChild);
    }

    // Least-squares line of b on a.
    const mx = d3.mean(Array.from(data.x)) ?? 0;
    const my = d3.mean(Array.from(data.y)) ?? 0;
    let sxy = 0;
    let sxx = 0;
    for (let k = 0; k < n; k++) { sxy += (data.x[k] - mx) * (data.y[k] - my); sxx += (data.x[k] - mx) ** 2; }
    if (sxx > 0) {
      const slope = sxy / sxx;
      const [x0, x1] = x.domain();
      g.append('line').attr('class', 'fit-line').attr('x1', x(x0)).attr('x2', x(x1)).attr('y1', y(my + slope * (x0 - mx))).attr('y2', y(my + slope * (x1 - mx)))
        .attr('stroke', colors.foreground).attr('stroke-opacity', 0.7).attr('stroke-dasharray', '5,4');
    }

    if (data.stats) {
      svg.append('text').attr('class', 'rsa-stats').attr('x', margin.left).attr('y', 16).attr('font-size', 12).attr('font-weight', 600)
        .text(`${statsLine(data.stats)}${data.stats.n ? ` · n = ${data.stats.n} pairs` : ''}`);
    }
    if (data.within) {
      const legend = g.append('g').attr('class', 'legend').attr('transform', `translate(${w - 130},8)`);
      legend.append('rect').attr('x', -8).attr('y', -8).attr('width', 136).attr('height', 40).attr('rx', 3)
        .attr('fill', colors.widgetBackground).attr('fill-opacity', 0.85).attr('stroke', colors.border);
      [['within category', colors.within], ['between categories', colors.between]].forEach(([label, c], k) => {
        legend.append('circle').attr('cx', 2).attr('cy', k * 16 + 1).attr('r', 4).attr('fill', c);
        legend.append('text').attr('x', 12).attr('y', k * 16 + 1).attr('dy', '0.35em').text(label);
      });
    }

    delaunay = null;
    g.append('circle').attr('class', 'hover-point').attr('r', 5).attr('fill', 'none').attr('stroke', colors.foreground)
      .attr('stroke-width', 1.5).attr('visibility', 'hidden').attr('data-export', 'omit');
    g.append('rect').attr('class', 'overlay').attr('width', w).attr('height', h).attr('fill', 'transparent').attr('data-export', 'omit')
      .on('mousemove', (event: MouseEvent) => onHover(event))
      .on('mouseleave', () => { tooltip.hide(); svg.select('.hover-point').attr('visibility', 'hidden'); });
  }

  function onHover(event: MouseEvent): void {
    const n = data.x.length;
    if (n === 0 || n > options.hoverLimit) return;
    const { x, y } = geometry;
    delaunay ??= d3.Delaunay.from(d3.range(n), (k) => x(data.x[k]), (k) => y(data.y[k]));
    const [px, py] = d3.pointer(event);
    const k = delaunay.find(px, py);
    const dx = x(data.x[k]) - px;
    const dy = y(data.y[k]) - py;
    if (dx * dx + dy * dy > 400) { tooltip.hide(); svg.select('.hover-point').attr('visibility', 'hidden'); return; }
    svg.select('.hover-point').attr('cx', x(data.x[k])).attr('cy', y(data.y[k])).attr('visibility', 'visible');
    const pair = data.pairs?.[k];
    const lines = [`${data.xLabel}: ${fmt(data.x[k])}`, `${data.yLabel}: ${fmt(data.y[k])}`];
    if (data.within) lines.push(data.within[k] ? 'within category' : 'between categories');
    tooltip.show(pair ? `${pair[0]} × ${pair[1]}` : `pair ${k}`, lines, event.clientX, event.clientY);
  }

  return { ...chart, get mode() { return mode; } };
}

/** Tracked, so a card can pin the chart to the side view (see spec.ts). */
export const scatter = tracked('scatter', drawScatter);
