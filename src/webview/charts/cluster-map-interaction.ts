// How the cluster map is handled: the toolbar (regex search, color by, labels, lasso, reset zoom),
// wheel zoom (after a click on the map or with Ctrl/⌘/Alt held) and drag pan, the lasso (shift-drag or the Lasso button), and finding the point under
// the pointer. It reports what the user did; the map (cluster-map.ts) keeps the state and redraws.
import * as d3 from 'd3';
import { button, el, styleInput } from './form-elements';

// ---- toolbar ----

export interface MapToolbarEvents {
  onSearchInput(text: string): void;
  /** Enter in the search box. */
  onSearchEnter(): void;
  onColorBy(colorBy: 'cluster' | 'value'): void;
  onLabels(shown: boolean): void;
  onLasso(): void;
  onResetZoom(): void;
}

/** What the toolbar shows, set at each render. */
export interface MapToolbarState {
  search: string;
  colorBy: 'cluster' | 'value';
  /** Name of the per-point value; undefined when the map has none (no color choice then). */
  valueLabel: string | undefined;
  labels: boolean;
  lasso: boolean;
  focusColor: string;
}

export interface MapToolbar {
  element: HTMLDivElement;
  sync(state: MapToolbarState): void;
  /** The search's outcome: a match count, or a pattern that is not a regular expression (outlined in `warning`). */
  showSearch(result: SearchResult, warning: string): void;
}

export function mapToolbar(events: MapToolbarEvents): MapToolbar {
  const element = el('div', 'ml-chart-controls ml-cluster-map-controls');
  const search = document.createElement('input');
  search.type = 'search';
  search.className = 'ml-cluster-search';
  search.placeholder = 'Search labels (regex)';
  search.setAttribute('aria-label', 'Search labels (regular expression)');
  styleInput(search);
  search.style.width = '200px';
  const searchNote = el('span', 'ml-cluster-search-note');
  const colorSelect = document.createElement('select');
  colorSelect.className = 'ml-cluster-color-by';
  styleInput(colorSelect);
  const labelToggle = document.createElement('input');
  labelToggle.type = 'checkbox';
  labelToggle.className = 'ml-cluster-label-toggle';
  const lassoButton = button('Lasso', 'ml-cluster-lasso', 'Drag to draw a lasso (or hold Shift while dragging)');
  const resetButton = button('Reset zoom', 'ml-cluster-reset', 'Back to the whole map');
  const hint = el('span', 'ml-note ml-cluster-hint');
  hint.textContent = 'Ctrl+wheel (or click, then wheel): zoom · drag: pan · click: select + neighbours · shift-drag: lasso · Enter: select matches';
  const labelWrap = document.createElement('label');
  labelWrap.append(labelToggle, document.createTextNode('labels'));
  const colorWrap = document.createElement('label');
  colorWrap.append(document.createTextNode('color'), colorSelect);
  element.append(search, searchNote, colorWrap, labelWrap, lassoButton, resetButton, hint);

  search.addEventListener('input', () => events.onSearchInput(search.value));
  search.addEventListener('keydown', (event) => { if (event.key === 'Enter') events.onSearchEnter(); });
  colorSelect.addEventListener('change', () => events.onColorBy(colorSelect.value === 'value' ? 'value' : 'cluster'));
  labelToggle.addEventListener('change', () => events.onLabels(labelToggle.checked));
  lassoButton.addEventListener('click', () => events.onLasso());
  resetButton.addEventListener('click', () => events.onResetZoom());

  return {
    element,
    sync(state) {
      if (search.value !== state.search) search.value = state.search;
      const hasValues = state.valueLabel !== undefined;
      colorSelect.replaceChildren(...['cluster', 'value'].filter((c) => c === 'cluster' || hasValues).map((c) => {
        const o = document.createElement('option');
        o.value = c;
        o.textContent = c === 'value' ? state.valueLabel ?? 'value' : 'cluster';
        return o;
      }));
      colorSelect.value = state.colorBy === 'value' && hasValues ? 'value' : 'cluster';
      colorWrap.style.display = hasValues ? '' : 'none';
      labelToggle.checked = state.labels;
      lassoButton.setAttribute('aria-pressed', String(state.lasso));
      lassoButton.style.outline = state.lasso ? `1px solid ${state.focusColor}` : '';
    },
    showSearch(result, warning) {
      searchNote.textContent = '';
      search.style.outline = '';
      if (result === 'invalid') {
        searchNote.textContent = 'not a valid regular expression';
        search.style.outline = `1px solid ${warning}`;
      } else if (result !== null) {
        searchNote.textContent = `${result.size} match${result.size === 1 ? '' : 'es'}`;
      }
    },
  };
}

// ---- search ----

/** The matching points, 'invalid' for a pattern that does not compile, null for an empty search. */
export type SearchResult = Set<number> | 'invalid' | null;

/** The labels that match `text` as a case-insensitive regular expression. */
export function searchLabels(labels: readonly string[], text: string): SearchResult {
  if (!text) return null;
  let pattern: RegExp;
  try {
    pattern = new RegExp(text, 'i');
  } catch {
    return 'invalid';
  }
  const matches = new Set<number>();
  labels.forEach((label, i) => { if (pattern.test(label)) matches.add(i); });
  return matches;
}

// ---- zoom, pan, lasso and pointer ----

type Overlay = d3.Selection<SVGRectElement, unknown, null, undefined>;

export interface PointerEvents {
  /** Lasso drawing instead of panning (the Lasso button). */
  lassoMode(): boolean;
  zoomed(transform: d3.ZoomTransform): void;
  hover(event: MouseEvent): void;
  leave(): void;
  click(event: MouseEvent): void;
  /** A lasso was closed around `polygon` (SVG pixels); `additive` with Ctrl/Cmd. */
  lassoed(polygon: [number, number][], additive: boolean): void;
  /** A wheel over the map that scrolled the page instead of zooming (no click yet, no modifier). */
  wheelIgnored?(): void;
}

/**
 * Wires the overlay: wheel zoom and drag pan (from `transform`, kept across redraws), shift-drag or
 * lasso mode draws a lasso into `lassoPath`, and hover, leave and click pass through.
 */
export function attachPointer(overlay: Overlay, svg: SVGSVGElement | null, lassoPath: d3.Selection<SVGPathElement, unknown, null, undefined>,
  transform: d3.ZoomTransform, events: PointerEvents): void {
  // The wheel scrolls the page, as over any map on a web page, until the map is clicked or a
  // modifier is held; leaving the map disarms it again.
  let armed = false;
  const zoom = d3.zoom<SVGRectElement, unknown>()
    .scaleExtent([0.5, 60])
    .filter((event: Event) => {
      if (events.lassoMode() || (event as MouseEvent).shiftKey || (event as MouseEvent).button) return false;
      if (event.type !== 'wheel') return true;
      const wheel = event as WheelEvent;
      if (armed || wheel.ctrlKey || wheel.metaKey || wheel.altKey) return true;
      events.wheelIgnored?.();
      return false;
    })
    .on('zoom', (event: d3.D3ZoomEvent<SVGRectElement, unknown>) => events.zoomed(event.transform));
  overlay.call(zoom).on('dblclick.zoom', null);
  // d3-zoom keeps its state on the node; setting it directly keeps the zoom across re-renders
  // without firing a zoom event (and a second full draw).
  (overlay.node() as (SVGRectElement & { __zoom?: d3.ZoomTransform }) | null)!.__zoom = transform;
  overlay.on('mousemove', (event: MouseEvent) => events.hover(event));
  overlay.on('mouseleave', () => { armed = false; events.leave(); });
  overlay.on('pointerdown.arm', () => { armed = true; });
  overlay.on('click', (event: MouseEvent) => events.click(event));
  let lasso: [number, number][] | null = null;
  overlay.on('pointerdown', (event: PointerEvent) => {
    if (!(events.lassoMode() || event.shiftKey) || event.button !== 0) return;
    lasso = [d3.pointer(event, svg)];
    (event.target as Element).setPointerCapture?.(event.pointerId);
    event.preventDefault();
  });
  overlay.on('pointermove', (event: PointerEvent) => {
    if (!lasso) return;
    lasso.push(d3.pointer(event, svg));
    lassoPath.attr('d', `M${lasso.map((p) => p.join(',')).join('L')}Z`);
  });
  overlay.on('pointerup', (event: PointerEvent) => {
    if (!lasso) return;
    const polygon = lasso;
    lasso = null;
    lassoPath.attr('d', null);
    if (polygon.length < 3) return;
    events.lassoed(polygon, event.ctrlKey || event.metaKey);
  });
}

/** The points (screen pixels, x and y interleaved) inside a lasso polygon. */
export function pointsInPolygon(screen: Float64Array, polygon: [number, number][]): number[] {
  const inside: number[] = [];
  for (let i = 0; i < screen.length / 2; i++) if (d3.polygonContains(polygon, [screen[2 * i], screen[2 * i + 1]])) inside.push(i);
  return inside;
}

/**
 * Finds the point nearest the pointer. Indexed in data coordinates, once per data set: both axes
 * share one unit and zoom only scales and shifts, so the nearest point in data space is the nearest
 * on screen, and a zoom or pan does not rebuild the index (triangulating 50,257 tokens takes most of
 * a second).
 */
export class PointFinder {
  private delaunay: d3.Delaunay<number> | null = null;
  private indexed: ArrayLike<number> | null = null;

  /** The point nearest data position (x, y), starting the walk at `hint`. */
  find(coords: ArrayLike<number>, x: number, y: number, hint: number): number {
    if (!this.delaunay || this.indexed !== coords) {
      this.delaunay = d3.Delaunay.from(d3.range(coords.length / 2), (i) => coords[2 * i], (i) => coords[2 * i + 1]);
      this.indexed = coords;
    }
    return this.delaunay.find(x, y, hint);
  }
}
