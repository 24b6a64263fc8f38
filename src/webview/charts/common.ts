// Shared pieces of the charts: the chart handle, theme colors resolved from --vscode-* variables
// (resolved to concrete values so an exported SVG keeps its colors outside VS Code), a text-only
// tooltip, number formatting and a resize hook.
import { categoryPalette } from './category-colors';

/** What every chart function returns. */
export interface Chart<D, O> {
  update(data?: D, options?: Partial<O>): void;
  destroy(): void;
  /** A standalone SVG document of what is drawn now (canvas content embedded as an image). */
  exportSvg(): string;
}

export interface ThemeColors {
  foreground: string;
  muted: string;
  background: string;
  widgetBackground: string;
  border: string;
  grid: string;
  focus: string;
  fontFamily: string;
  monoFamily: string;
  series: string[];
  within: string;
  between: string;
  warning: string;
}

function cssVar(style: CSSStyleDeclaration, name: string, fallback: string): string {
  const v = style.getPropertyValue(name).trim();
  return v || fallback;
}

export function themeColors(element: Element = document.documentElement): ThemeColors {
  const s = getComputedStyle(element);
  const fg = cssVar(s, '--vscode-charts-foreground', cssVar(s, '--vscode-foreground', '#cccccc'));
  return {
    foreground: fg,
    muted: cssVar(s, '--vscode-descriptionForeground', '#9d9d9d'),
    background: cssVar(s, '--vscode-editor-background', '#1f1f1f'),
    widgetBackground: cssVar(s, '--vscode-editorWidget-background', cssVar(s, '--vscode-editor-background', '#1f1f1f')),
    border: cssVar(s, '--vscode-widget-border', '#3c3c3c'),
    grid: cssVar(s, '--vscode-charts-lines', '#80808080'),
    focus: cssVar(s, '--vscode-focusBorder', '#0078d4'),
    fontFamily: cssVar(s, '--vscode-font-family', 'sans-serif'),
    monoFamily: cssVar(s, '--vscode-editor-font-family', 'monospace'),
    series: [
      cssVar(s, '--vscode-charts-blue', '#3794ff'),
      cssVar(s, '--vscode-charts-orange', '#d18616'),
      cssVar(s, '--vscode-charts-green', '#89d185'),
      cssVar(s, '--vscode-charts-purple', '#b180d7'),
      cssVar(s, '--vscode-charts-red', '#f14c4c'),
      cssVar(s, '--vscode-charts-yellow', '#cca700'),
      // The chart palette has six colors; the terminal's cyan and magenta are next most theme-native.
      cssVar(s, '--vscode-terminal-ansiCyan', '#11a8cd'),
      cssVar(s, '--vscode-terminal-ansiMagenta', '#bc3fbc'),
    ],
    // Not blue and orange: those are A and B (series 0 and 1) in the same panels, and one color
    // means one thing per panel.
    within: cssVar(s, '--vscode-charts-green', '#89d185'),
    between: cssVar(s, '--vscode-charts-purple', '#b180d7'),
    warning: cssVar(s, '--vscode-editorWarning-foreground', '#cca700'),
  };
}

/** The color of the index-th category: its own palette, apart from A/B (series) and within/between. */
export function categoryColor(colors: ThemeColors, index: number): string {
  const palette = categoryPalette(colors);
  return palette[index % palette.length];
}

/** Fixed-precision numbers for labels; "—" for missing values so a null never prints as 0. */
export function fmt(value: number | null | undefined, digits = 3): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return value.toFixed(digits);
}

/** p-values: small ones in exponent form, never rounded to 0. */
export function fmtP(p: number | null | undefined): string {
  if (p === null || p === undefined || !Number.isFinite(p)) return '—';
  if (p < 0.001) return p.toExponential(2);
  return p.toFixed(3);
}

/** Shortens a label for a tick; the tooltip always shows it whole. */
export function clip(label: string, max = 16): string {
  return label.length > max ? `${label.slice(0, max - 1)}…` : label;
}

const measureCanvas = document.createElement('canvas');
export function textWidth(text: string, font: string): number {
  const ctx = measureCanvas.getContext('2d');
  if (!ctx) return text.length * 7;
  ctx.font = font;
  return ctx.measureText(text).width;
}

/** A tooltip made of text lines only: data never goes through innerHTML. */
export class Tooltip {
  readonly element: HTMLDivElement;
  constructor() {
    this.element = document.createElement('div');
    this.element.className = 'ml-tooltip';
    this.element.setAttribute('role', 'tooltip');
    this.element.hidden = true;
    document.body.appendChild(this.element);
  }
  show(title: string, lines: string[], clientX: number, clientY: number): void {
    const el = this.element;
    el.replaceChildren();
    const head = document.createElement('div');
    head.className = 'ml-tooltip-title';
    head.textContent = title;
    el.appendChild(head);
    for (const line of lines) {
      const row = document.createElement('div');
      row.textContent = line;
      el.appendChild(row);
    }
    el.hidden = false;
    const pad = 14;
    const { width, height } = el.getBoundingClientRect();
    const x = clientX + pad + width > window.innerWidth ? clientX - pad - width : clientX + pad;
    const y = clientY + pad + height > window.innerHeight ? clientY - pad - height : clientY + pad;
    el.style.left = `${Math.max(0, x)}px`;
    el.style.top = `${Math.max(0, y)}px`;
  }
  hide(): void { this.element.hidden = true; }
  destroy(): void { this.element.remove(); }
}

/** Calls `render` when the container's width changes, at most once per frame. */
export function onWidthChange(container: HTMLElement, render: () => void): () => void {
  let lastWidth = container.clientWidth;
  let frame = 0;
  const observer = new ResizeObserver(() => {
    const w = container.clientWidth;
    if (w === lastWidth) return;
    lastWidth = w;
    cancelAnimationFrame(frame);
    frame = requestAnimationFrame(render);
  });
  observer.observe(container);
  return () => { observer.disconnect(); cancelAnimationFrame(frame); };
}

/** Width available to a chart: the container's, or a sensible default before layout. */
export function availableWidth(container: HTMLElement, fallback = 640): number {
  const w = container.clientWidth;
  return w > 0 ? w : fallback;
}

/** Serializes an SVG element as a standalone document with a background and a font. */
export function svgDocument(svg: SVGSVGElement, colors: ThemeColors, extra?: (clone: SVGSVGElement) => void): string {
  const clone = svg.cloneNode(true) as SVGSVGElement;
  clone.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  clone.setAttribute('font-family', colors.fontFamily);
  const width = clone.getAttribute('width') ?? '0';
  const height = clone.getAttribute('height') ?? '0';
  const bg = document.createElementNS('http://www.w3.org/2000/svg', 'rect');
  bg.setAttribute('width', width);
  bg.setAttribute('height', height);
  bg.setAttribute('fill', colors.widgetBackground);
  clone.insertBefore(bg, clone.firstChild);
  clone.querySelectorAll('[data-export="omit"]').forEach((n) => n.remove());
  extra?.(clone);
  return new XMLSerializer().serializeToString(clone);
}

/** A deterministic jitter in [-0.5, 0.5) from an index, so plots do not move between renders. */
export function jitter(i: number): number {
  let h = (i + 1) * 2654435761;
  h ^= h >>> 16;
  h = Math.imul(h, 0x45d9f3b);
  h ^= h >>> 16;
  return ((h >>> 0) % 10000) / 10000 - 0.5;
}
