// The "Run settings" bar of a panel: the parameters the notebooks hard-code, as VS Code controls
// (vscode-textfield, vscode-single-select), starting at the values this result was made with, and
// "Run again", which asks the host to run the job with the changed values (rerun-client.ts). Values
// are checked here against the same limits the host checks, so a typo is caught before it leaves.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import type { NumberLimit, RerunParams } from '../../protocol/rerun';
import { singleSelect } from '../charts/single-select';
import type { RerunClient } from '../rerun-client';
import { el, icon } from './cards';

export type FieldValue = number | string | null;

export type ControlField =
  /** `auto` (a placeholder such as "auto") allows an empty field, read as null: the job's own choice. */
  | { kind: 'number'; key: string; label: string; value: number | null; limit: NumberLimit; auto?: string; title?: string;
    /** The value the run used instead of `value`, and why: said next to the field while it holds the asked value. */
    used?: { value: number; why: string } }
  | { kind: 'choice'; key: string; label: string; value: string; choices: readonly (readonly [string, string])[]; title?: string }
  /** `optional`: an empty field is a value (the logit lens's "no target"), not a missing one. */
  | { kind: 'text'; key: string; label: string; value: string; check?: (text: string) => string | undefined; wide?: boolean; title?: string; optional?: boolean };

export interface RerunControlsOptions {
  fields: ControlField[];
  /** The typed parameters from the field values (already checked). */
  toParams: (values: Record<string, FieldValue>) => RerunParams;
  /** Absent (an HTML report) or not available (a saved run): the controls show the values, disabled. */
  client?: RerunClient;
  /** Says what running again costs, as a sentence: "Running again runs the model again." */
  hint?: string;
}

type Control = HTMLElement & { value: string; disabled: boolean; invalid: boolean };

/** The value of a number field, or the reason it is not acceptable. */
/** "a whole number from 1 to 100", the allowed values of a number field. */
function allowed(limit: NumberLimit): string {
  return `${limit.integer ? 'a whole number' : 'a number'} ${limit.exclusiveMin ? `above ${limit.min}` : `from ${limit.min}`} to ${limit.max}`;
}

function readNumber(text: string, limit: NumberLimit, auto: boolean): { value: number | null } | { problem: string } {
  const t = text.trim();
  if (t === '') return auto ? { value: null } : { problem: `is required: ${allowed(limit)}` };
  const v = Number(t);
  const range = `must be ${allowed(limit)}`;
  if (!Number.isFinite(v)) return { problem: `is not a number: it ${range}` };
  if (limit.integer && !Number.isInteger(v)) return { problem: range };
  if (limit.exclusiveMin ? v <= limit.min : v < limit.min) return { problem: range };
  if (v > limit.max) return { problem: range };
  return { value: v };
}

function control(field: ControlField): Control {
  if (field.kind === 'choice') return singleSelect(field.choices, field.value, field.label) as Control;
  const input = document.createElement('vscode-textfield') as Control;
  if (field.kind === 'number') {
    // A text field with a decimal keyboard, not type=number: the element's own step/range validation
    // marks 0.01 invalid (its step is a Number property, so "any" is lost) and throws in Chromium
    // without a message; readNumber below checks the value and says what is wrong in words.
    input.setAttribute('inputmode', field.limit.integer ? 'numeric' : 'decimal');
    if (field.auto) input.setAttribute('placeholder', field.auto);
    input.value = field.value === null ? '' : String(field.value);
  } else {
    input.value = field.value;
  }
  return input;
}

export function rerunControls(parent: HTMLElement, o: RerunControlsOptions): HTMLElement {
  const bar = el('section', 'ml-rerun-controls');
  bar.setAttribute('data-card', 'rerun');
  bar.setAttribute('aria-label', 'Run settings');
  const title = el('div', 'ml-rerun-title');
  title.append(icon('settings'), el('span', undefined, 'Run settings'));
  const row = el('div', 'ml-rerun-fields');
  const controls = new Map<string, { field: ControlField; control: Control; said: HTMLElement }>();
  for (const field of o.fields) {
    const wrap = el('label', `ml-rerun-field${field.kind === 'text' && field.wide ? ' ml-rerun-wide' : ''}`);
    const c = control(field);
    c.setAttribute('data-param', field.key);
    c.setAttribute('aria-label', field.label);
    const range = field.kind === 'number' ? `Allowed: ${allowed(field.limit)}${field.auto ? ', or empty (automatic)' : ''}.` : '';
    const tip = [field.title, range].filter(Boolean).join('. ');
    if (tip) wrap.title = tip;
    // Under the field: what is wrong with it as typed, or the value the run used instead of the one shown.
    const said = el('span', 'ml-rerun-field-note');
    said.setAttribute('data-field-note', field.key);
    wrap.append(el('span', 'ml-rerun-label', field.label), c, said);
    row.appendChild(wrap);
    controls.set(field.key, { field, control: c, said });
  }
  const run = document.createElement('vscode-button') as HTMLElement & { disabled: boolean };
  run.className = 'ml-rerun-run';
  run.setAttribute('icon', 'play');
  run.textContent = 'Run again';
  const reset = document.createElement('vscode-button') as HTMLElement & { disabled: boolean };
  reset.className = 'ml-rerun-reset';
  reset.setAttribute('secondary', '');
  reset.setAttribute('icon', 'discard');
  reset.title = 'Back to the values this result was made with';
  reset.textContent = 'Reset';
  const actions = el('div', 'ml-rerun-actions');
  actions.append(run, reset);
  // The fields line up at their tops, so a note under one field grows it downwards instead of lifting
  // its label above the others; a blank label's height above the buttons keeps them level with the inputs.
  const spacer = el('span', 'ml-rerun-label', '\u00a0');
  spacer.setAttribute('aria-hidden', 'true');
  const actionsColumn = el('div', 'ml-rerun-field ml-rerun-actions-column');
  actionsColumn.append(spacer, actions);
  row.appendChild(actionsColumn);
  const note = el('div', 'ml-rerun-note');
  bar.append(title, row, note);
  parent.appendChild(bar);

  /** Reads every field; the first problem found, or the values. */
  const read = (): { values: Record<string, FieldValue> } | { problem: string; key: string } => {
    const values: Record<string, FieldValue> = {};
    for (const [key, { field, control: c }] of controls) {
      if (field.kind === 'number') {
        const r = readNumber(c.value, field.limit, field.auto !== undefined);
        if ('problem' in r) return { key, problem: `${field.label} ${r.problem}` };
        values[key] = r.value;
      } else if (field.kind === 'text') {
        const problem = c.value.trim() ? field.check?.(c.value) : field.optional ? undefined : 'is required';
        if (problem) return { key, problem: `${field.label}: ${problem}` };
        values[key] = c.value;
      } else {
        values[key] = c.value;
      }
    }
    return { values };
  };

  const unchanged = () => [...controls.values()].every(({ field, control: c }) =>
    field.kind === 'number' ? c.value.trim() === (field.value === null ? '' : String(field.value)) : c.value === field.value);

  const client = o.client;
  const sync = () => {
    const r = read();
    for (const [key, { field, control: c, said }] of controls) {
      c.invalid = 'problem' in r && r.key === key;
      const asShown = field.kind === 'number' && c.value.trim() === (field.value === null ? '' : String(field.value));
      said.textContent = 'problem' in r && r.key === key ? r.problem.slice(field.label.length).trim()
        : field.kind === 'number' && field.used && asShown ? `ran with ${Number(field.used.value.toPrecision(3))}: ${field.used.why}` : '';
      said.classList.toggle('ml-rerun-problem', 'problem' in r && r.key === key);
    }
    const running = client?.running ?? false;
    const usable = !!client?.available;
    for (const { control: c } of controls.values()) c.disabled = !usable || running;
    run.disabled = !usable || running || 'problem' in r;
    reset.disabled = !usable || running || unchanged();
    // A saved run, a restored panel or the HTML report: the settings are shown, but only the command that made a panel can run it again.
    if (!usable) note.textContent = 'These are the settings of this run. To change them, run its command again in VS Code.';
    else if ('problem' in r) note.textContent = `${r.problem}.`;
    else note.textContent = running ? 'Running again…' : `${unchanged() ? 'These are the settings of this run.' : 'Changed: press Run again.'}${o.hint ? ` ${o.hint}` : ''}`;
    note.classList.toggle('ml-rerun-problem', 'problem' in r);
  };
  for (const { control: c } of controls.values()) {
    c.addEventListener('input', sync);
    c.addEventListener('change', sync);
  }
  run.addEventListener('click', () => {
    const r = read();
    if ('problem' in r || !client) return;
    void client.run(o.toParams(r.values));
  });
  reset.addEventListener('click', () => {
    for (const { field, control: c } of controls.values()) c.value = field.kind === 'number' ? (field.value === null ? '' : String(field.value)) : field.value;
    sync();
  });
  if (client) client.follow(bar, sync);
  else sync();
  // A vscode-single-select takes its value only once it has rendered its options, after the first
  // sync: set it again then and check again, or a fresh bar reads "Changed".
  for (const { field, control: c } of controls.values()) {
    if (field.kind !== 'choice') continue;
    void Promise.resolve((c as unknown as { updateComplete?: Promise<unknown> }).updateComplete).then(() => requestAnimationFrame(() => {
      if (c.value !== field.value) c.value = field.value;
      sync();
    }));
  }
  return bar;
}
