// The form above a heatmap: the color range (min, max) and the scheme (diverging or sequential, each
// named with its palette). It only reports what the user typed or picked; the heatmap decides what
// that means and shows the range in use back through `show`.
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import type { HeatmapPalettes, HeatmapScheme } from './palettes';
import { singleSelect } from './single-select';

export interface HeatmapControls {
  element: HTMLDivElement;
  /** Shows the range and scheme in use, or hides the form. */
  show(domain: [number, number], scheme: HeatmapScheme, visible: boolean): void;
}

export interface HeatmapControlEvents {
  /** A valid range was entered (lo < hi, both numbers). */
  onRange(domain: [number, number]): void;
  onScheme(scheme: HeatmapScheme): void;
}

export function heatmapControls(palettes: HeatmapPalettes, events: HeatmapControlEvents): HeatmapControls {
  const element = document.createElement('div');
  element.className = 'ml-chart-controls';
  const minField = numberField('min');
  const maxField = numberField('max');
  // Diverging until `show` says which scheme the heatmap draws.
  const schemeSelect = singleSelect([['diverging', `Diverging (${palettes.diverging})`], ['sequential', `Sequential (${palettes.sequential})`]], 'diverging', 'color scheme');
  element.append(labelled('Range', minField), labelled('to', maxField), labelled('Scheme', schemeSelect));
  const onRangeInput = () => {
    const lo = Number.parseFloat(minField.value);
    const hi = Number.parseFloat(maxField.value);
    if (Number.isFinite(lo) && Number.isFinite(hi) && lo < hi) events.onRange([lo, hi]);
  };
  minField.addEventListener('change', onRangeInput);
  maxField.addEventListener('change', onRangeInput);
  schemeSelect.addEventListener('change', () => events.onScheme(schemeSelect.value === 'sequential' ? 'sequential' : 'diverging'));
  return {
    element,
    show(domain, scheme, visible) {
      element.hidden = !visible;
      minField.value = String(domain[0]);
      maxField.value = String(domain[1]);
      schemeSelect.value = scheme;
    },
  };
}

function numberField(label: string): HTMLElement & { value: string } {
  const f = document.createElement('vscode-textfield') as HTMLElement & { value: string };
  f.setAttribute('type', 'number');
  f.setAttribute('step', '0.05');
  f.setAttribute('aria-label', label);
  return f;
}

function labelled(text: string, control: HTMLElement): HTMLLabelElement {
  const l = document.createElement('label');
  const span = document.createElement('span');
  span.textContent = text;
  l.append(span, control);
  return l;
}
