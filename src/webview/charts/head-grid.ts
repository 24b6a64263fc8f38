// The heads panel's charts. headGrid: every head as a small multiple (its pattern drawn on one canvas,
// one pixel per query × key, scaled) with its three detector scores as bars below it; headScoreMap:
// one detector's score as a layers × heads map; attentionPattern: one head's pattern with the tokens
// on both axes, where hovering a query row shows where it attends and a key column what attends to it.
// Patterns are coloured from the editor background to the theme's first chart colour (weight 0 to 1, square-root scale).
import * as d3 from 'd3';
import type { HeadDetector, HeadScores } from '../../protocol/result';
import { type Chart, type ThemeColors, clip, fmt } from './common';
import { chartFrame } from './frame';
import { sequentialInterpolator } from './palettes';
import { tracked } from './spec';

export const DETECTOR_NAMES: readonly HeadDetector[] = ['previousToken', 'duplicateToken', 'induction'];
export const DETECTOR_LABELS: Record<HeadDetector, string> = { previousToken: 'previous-token', duplicateToken: 'duplicate-token', induction: 'induction' };

export interface HeadRef { layer: number; head: number }

/** The colour of detector d in every chart of the panel. */
export function detectorColor(colors: ThemeColors, d: HeadDetector): string {
  return colors.series[DETECTOR_NAMES.indexOf(d)];
}

/**
 * A T × T pattern as a T × T canvas, 0 in the background colour, 1 in `high`, on a square-root scale:
 * a weight spread over 50 keys (0.02) still shows, and 0 stays the background.
 */
export function patternCanvas(pattern: readonly (readonly number[])[], low: string, high: string): HTMLCanvasElement {
  const T = pattern.length;
  const canvas = document.createElement('canvas');
  canvas.width = Math.max(1, T);
  canvas.height = Math.max(1, T);
  const ctx = canvas.getContext('2d');
  if (!ctx || T === 0) return canvas;
  const a = d3.rgb(low);
  const b = d3.rgb(high);
  const image = ctx.createImageData(T, T);
  for (let q = 0; q < T; q++) {
    for (let k = 0; k < T; k++) {
      const v = Math.sqrt(Math.min(1, Math.max(0, pattern[q][k] ?? 0)));
      const o = (q * T + k) * 4;
      image.data[o] = a.r + (b.r - a.r) * v;
      image.data[o + 1] = a.g + (b.g - a.g) * v;
      image.data[o + 2] = a.b + (b.b - a.b) * v;
      image.data[o + 3] = 255;
    }
  }
  ctx.putImageData(image, 0, 0);
  return canvas;
}

export interface HeadGridData {
  /** The heads to draw, in order (sorted and filtered by the panel). */
  heads: HeadRef[];
  scores: HeadScores;
  /** patterns[layer][head][q][k] of the text shown; null when the result kept none. */
  patterns: number[][][][] | null;
  selected: HeadRef | null;
}

export interface HeadGridOptions { cell: number; onSelect?: (head: HeadRef) => void }

const LABEL_H = 13;
const BARS_H = 12;
const GAP = 10;

/** A canvas over the chart's SVG, at its top left until the chart places it, drawn with hard pixel edges. */
function overlayCanvas(root: HTMLElement): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  Object.assign(canvas.style, { position: 'absolute', left: '0', top: '0', imageRendering: 'pixelated' });
  root.appendChild(canvas);
  return canvas;
}

function drawHeadGrid(container: HTMLElement, data: HeadGridData, options: Partial<HeadGridOptions> = {}): Chart<HeadGridData, HeadGridOptions> {
  let canvas: HTMLCanvasElement | null = null;
  const state = { data, options: { cell: 64, ...options } as HeadGridOptions };
  const { chart } = chartFrame(container, 'ml-head-grid', state, {
    layout: (root) => {
      root.style.position = 'relative';
      canvas = overlayCanvas(root);
      return root;
    },
    svgClass: 'ml-head-grid-svg',
    canvasImage: () => (canvas ? { canvas, width: canvas.width, height: canvas.height } : null),
  }, ({ svg, data, options, colors, tooltip, width }) => {
    const size = options.cell;
    const pitchX = size + GAP;
    const pitchY = size + LABEL_H + BARS_H + GAP;
    const columns = Math.max(1, Math.floor((width + GAP) / pitchX));
    const rows = Math.ceil(data.heads.length / columns);
    const height = Math.max(rows * pitchY, 20);
    svg.selectAll('*').remove();
    svg.attr('width', width).attr('height', height).attr('viewBox', `0 0 ${width} ${height}`).attr('font-size', 10).attr('fill', colors.foreground);
    svg.style('position', 'relative');
    const c = canvas!;
    c.width = width;
    c.height = height;
    c.style.width = `${width}px`;
    c.style.height = `${height}px`;
    const ctx = c.getContext('2d');
    if (ctx) {
      ctx.imageSmoothingEnabled = false;
      ctx.clearRect(0, 0, width, height);
    }
    if (!data.heads.length) {
      svg.append('text').attr('y', 14).attr('fill', colors.muted).text('No head passes the filter.');
      return;
    }
    data.heads.forEach((ref, i) => {
      const x = (i % columns) * pitchX;
      const y = Math.floor(i / columns) * pitchY;
      const pattern = data.patterns?.[ref.layer]?.[ref.head];
      if (ctx && pattern) ctx.drawImage(patternCanvas(pattern, colors.widgetBackground, colors.series[0]), x, y + LABEL_H, size, size);
      const g = svg.append('g').attr('transform', `translate(${x},${y})`).attr('data-head', `L${ref.layer}H${ref.head}`).style('cursor', 'pointer');
      g.append('text').attr('y', 10).attr('font-family', colors.monoFamily).text(`L${ref.layer}H${ref.head}`);
      const selected = data.selected && data.selected.layer === ref.layer && data.selected.head === ref.head;
      g.append('rect').attr('y', LABEL_H).attr('width', size).attr('height', size).attr('fill', pattern ? 'transparent' : colors.widgetBackground)
        .attr('stroke', selected ? colors.focus : colors.border).attr('stroke-width', selected ? 2 : 1);
      const barW = (size - 4) / 3;
      DETECTOR_NAMES.forEach((d, k) => {
        const v = Math.max(0, Math.min(1, data.scores[d][ref.layer][ref.head]));
        const bx = k * (barW + 2);
        g.append('rect').attr('x', bx).attr('y', LABEL_H + size + 3).attr('width', barW).attr('height', BARS_H - 5).attr('fill', colors.grid).attr('opacity', 0.35);
        g.append('rect').attr('x', bx).attr('y', LABEL_H + size + 3).attr('width', barW * v).attr('height', BARS_H - 5).attr('fill', detectorColor(colors, d)).attr('data-score', d);
      });
      g.on('mousemove', (event: MouseEvent) => {
        tooltip.show(`Layer ${ref.layer}, head ${ref.head}`, DETECTOR_NAMES.map((d) => `${DETECTOR_LABELS[d]} ${fmt(data.scores[d][ref.layer][ref.head])}`), event.clientX, event.clientY);
      }).on('mouseleave', () => tooltip.hide())
        .on('click', () => options.onSelect?.(ref));
    });
  });
  return chart;
}

export const headGrid = tracked('headGrid', drawHeadGrid);

export interface HeadScoreMapData { detector: HeadDetector; values: number[][]; selected: HeadRef | null }
export interface HeadScoreMapOptions { onSelect?: (head: HeadRef) => void }

function drawHeadScoreMap(container: HTMLElement, data: HeadScoreMapData, options: Partial<HeadScoreMapOptions> = {}): Chart<HeadScoreMapData, HeadScoreMapOptions> {
  const state = { data, options: options as HeadScoreMapOptions };
  return chartFrame(container, 'ml-head-score-map', state, { minWidth: 200 }, ({ svg, data, options, colors, tooltip, width }) => {
    const L = data.values.length;
    const H = L ? data.values[0].length : 0;
    const margin = { top: 8, right: 60, bottom: 30, left: 34 };
    const cell = Math.max(4, Math.min(40, Math.floor((width - margin.left - margin.right) / Math.max(1, H)), Math.floor(320 / Math.max(1, L))));
    const w = cell * H;
    const h = cell * L;
    const total = { w: margin.left + w + margin.right, h: margin.top + h + margin.bottom };
    svg.selectAll('*').remove();
    svg.attr('width', total.w).attr('height', total.h).attr('viewBox', `0 0 ${total.w} ${total.h}`).attr('font-size', 10).attr('fill', colors.foreground);
    // Scores are fractions of the attention (0 to 1); the colours span 0 to the largest, which the legend names.
    const top = Math.max(1e-6, ...data.values.flat());
    const color = (v: number) => sequentialInterpolator('viridis')(v / top);
    const g = svg.append('g').attr('transform', `translate(${margin.left},${margin.top})`);
    data.values.forEach((row, l) => row.forEach((v, head) => {
      g.append('rect').attr('x', head * cell).attr('y', l * cell).attr('width', cell).attr('height', cell).attr('fill', color(Math.max(0, Math.min(1, v))))
        .attr('data-head', `L${l}H${head}`).style('cursor', 'pointer')
        .on('mousemove', (event: MouseEvent) => tooltip.show(`Layer ${l}, head ${head}`, [`${DETECTOR_LABELS[data.detector]} ${fmt(v)}`], event.clientX, event.clientY))
        .on('mouseleave', () => tooltip.hide())
        .on('click', () => options.onSelect?.({ layer: l, head }));
    }));
    if (data.selected) {
      g.append('rect').attr('x', data.selected.head * cell).attr('y', data.selected.layer * cell).attr('width', cell).attr('height', cell)
        .attr('fill', 'none').attr('stroke', colors.focus).attr('stroke-width', 2).attr('pointer-events', 'none');
    }
    const every = (n: number) => Math.max(1, Math.ceil(12 / cell) * (n > 30 ? 2 : 1));
    for (let l = 0; l < L; l += every(L)) g.append('text').attr('x', -4).attr('y', l * cell + cell / 2 + 3).attr('text-anchor', 'end').text(String(l));
    for (let head = 0; head < H; head += every(H)) g.append('text').attr('x', head * cell + cell / 2).attr('y', h + 11).attr('text-anchor', 'middle').text(String(head));
    g.append('text').attr('x', w / 2).attr('y', h + 25).attr('text-anchor', 'middle').attr('fill', colors.muted).text('head');
    g.append('text').attr('transform', `translate(${-24},${h / 2}) rotate(-90)`).attr('text-anchor', 'middle').attr('fill', colors.muted).text('layer');
    // Legend: 0 to 1.
    const lg = svg.append('g').attr('transform', `translate(${margin.left + w + 14},${margin.top})`);
    const steps = 20;
    const lh = Math.max(40, h);
    for (let s = 0; s < steps; s++) lg.append('rect').attr('y', (lh * s) / steps).attr('width', 10).attr('height', lh / steps + 0.5).attr('fill', color(1 - s / (steps - 1)));
    lg.append('text').attr('x', 14).attr('y', 8).text(fmt(top));
    lg.append('text').attr('x', 14).attr('y', lh).text('0');
  }).chart;
}

export const headScoreMap = tracked('headScoreMap', drawHeadScoreMap);

export interface AttentionPatternData { tokens: string[]; pattern: number[][]; title: string }

function drawAttentionPattern(container: HTMLElement, data: AttentionPatternData, options: Partial<Record<string, never>> = {}): Chart<AttentionPatternData, Record<string, never>> {
  let canvas: HTMLCanvasElement | null = null;
  let strip: HTMLElement | null = null;
  const box = { x: 0, y: 0, size: 0 };
  const state = { data, options: options as Record<string, never> };
  const { chart } = chartFrame(container, 'ml-attention-pattern', state, {
    layout: (root) => {
      root.style.position = 'relative';
      canvas = overlayCanvas(root);
      strip = document.createElement('div');
      strip.className = 'ml-token-strip';
      const holder = document.createElement('div');
      root.appendChild(holder);
      root.appendChild(strip);
      return holder;
    },
    canvasImage: () => (canvas ? { canvas, x: box.x, y: box.y, width: box.size, height: box.size, stretch: true, pixelated: true } : null),
  }, ({ svg, data, colors, tooltip, width }) => {
    const T = data.tokens.length;
    const labels = data.tokens.map((t, i) => `${clip(t, 12)} ${i}`);
    const labelW = Math.min(120, 12 + 6.2 * Math.max(...labels.map((l) => l.length), 1));
    const size = Math.max(60, Math.min(width - labelW - 20, 640, Math.max(T * 14, 260)));
    const cell = size / Math.max(1, T);
    Object.assign(box, { x: labelW, y: 8, size });
    const total = { w: labelW + size + 12, h: 8 + size + labelW };
    svg.selectAll('*').remove();
    svg.attr('width', total.w).attr('height', total.h).attr('viewBox', `0 0 ${total.w} ${total.h}`).attr('font-size', 10).attr('fill', colors.foreground);
    svg.style('position', 'relative');
    const c = canvas!;
    const image = patternCanvas(data.pattern, colors.widgetBackground, colors.series[0]);
    c.width = image.width;
    c.height = image.height;
    c.getContext('2d')?.drawImage(image, 0, 0);
    c.style.left = `${box.x}px`;
    c.style.top = `${box.y}px`;
    c.style.width = `${size}px`;
    c.style.height = `${size}px`;
    const g = svg.append('g').attr('transform', `translate(${box.x},${box.y})`);
    g.append('rect').attr('width', size).attr('height', size).attr('fill', 'none').attr('stroke', colors.border);
    const mark = g.append('g').attr('pointer-events', 'none');
    const showLabels = cell >= 7;
    const rowsG = svg.append('g').attr('transform', `translate(${box.x - 4},${box.y})`).attr('font-family', colors.monoFamily);
    const colsG = svg.append('g').attr('transform', `translate(${box.x},${box.y + size + 4})`).attr('font-family', colors.monoFamily);
    const tokenStrip = strip!;
    tokenStrip.replaceChildren();
    const chips = data.tokens.map((t, i) => {
      const chip = document.createElement('span');
      chip.className = 'ml-token-chip';
      chip.textContent = t;
      chip.setAttribute('data-token', String(i));
      chip.addEventListener('mouseenter', () => focusToken(i, 'both'));
      chip.addEventListener('mouseleave', () => focusToken(null, 'both'));
      tokenStrip.appendChild(chip);
      return chip;
    });
    const from = d3.rgb(colors.series[0]);
    const to = d3.rgb(colors.series[1]);
    /** Marks a query's row (where it attends: earlier chips in the first colour) and/or a key's column (what attends to it: later chips in the second). */
    function focusToken(i: number | null, which: 'row' | 'column' | 'both'): void {
      mark.selectAll('*').remove();
      chips.forEach((chip, j) => {
        chip.style.background = '';
        chip.classList.toggle('ml-token-focus', j === i);
        if (i === null) return;
        const out = which !== 'column' && j <= i ? data.pattern[i][j] : 0;
        const inn = which !== 'row' && j > i ? data.pattern[j][i] : 0;
        const v = Math.max(out, inn);
        const base = out >= inn ? from : to;
        // Square-root scale, as the pattern: a weight spread over many keys still shows.
        if (v > 0) chip.style.background = `rgba(${base.r},${base.g},${base.b},${Math.sqrt(Math.min(1, v)).toFixed(3)})`;
        chip.title = j <= i ? `${data.tokens[i]} → ${data.tokens[j]}: ${fmt(data.pattern[i][j])}` : `${data.tokens[j]} → ${data.tokens[i]}: ${fmt(data.pattern[j][i])}`;
      });
      if (i === null) return;
      if (which !== 'column') mark.append('rect').attr('y', i * cell).attr('width', size).attr('height', cell).attr('fill', 'none').attr('stroke', colors.focus);
      if (which !== 'row') mark.append('rect').attr('x', i * cell).attr('width', cell).attr('height', size).attr('fill', 'none').attr('stroke', colors.series[1]);
    }
    data.tokens.forEach((_, i) => {
      const row = rowsG.append('text').attr('x', 0).attr('y', (i + 0.5) * cell + 3).attr('text-anchor', 'end').attr('data-query', String(i)).text(showLabels ? labels[i] : '')
        .style('cursor', 'default');
      row.on('mouseenter', () => focusToken(i, 'row')).on('mouseleave', () => focusToken(null, 'row'));
      const col = colsG.append('text').attr('transform', `translate(${(i + 0.5) * cell + 3},0) rotate(-90)`).attr('text-anchor', 'end').attr('data-key', String(i)).text(showLabels ? labels[i] : '');
      col.on('mouseenter', () => focusToken(i, 'column')).on('mouseleave', () => focusToken(null, 'column'));
    });
    svg.append('text').attr('x', 2).attr('y', box.y + size + 12).attr('fill', colors.muted).text('query ↓ key →');
    g.append('rect').attr('width', size).attr('height', size).attr('fill', 'transparent')
      .on('mousemove', (event: MouseEvent) => {
        const [mx, my] = d3.pointer(event);
        const q = Math.min(T - 1, Math.max(0, Math.floor(my / cell)));
        const k = Math.min(T - 1, Math.max(0, Math.floor(mx / cell)));
        tooltip.show(`${data.tokens[q]} → ${data.tokens[k]}`, [`query ${q}, key ${k}`, `weight ${fmt(data.pattern[q][k])}`], event.clientX, event.clientY);
        focusToken(q, 'row');
      })
      .on('mouseleave', () => { tooltip.hide(); focusToken(null, 'row'); });
  });
  return chart;
}

export const attentionPattern = tracked('attentionPattern', drawAttentionPattern);
