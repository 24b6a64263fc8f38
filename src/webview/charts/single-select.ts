// A VS Code dropdown (vscode-single-select) of (value, label) choices, the control every panel picks
// one of several things with: keyboard (Space/Enter opens, arrows move, Enter picks, Escape closes),
// theme colours and focus ring from vscode-elements, and a `change` event when the user picks.
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';

export type SingleSelect = HTMLElement & { value: string; disabled: boolean };

/** A dropdown of `choices` showing `value`, named `label` for screen readers. */
export function singleSelect(choices: readonly (readonly [string, string])[], value: string, label: string): SingleSelect {
  const select = document.createElement('vscode-single-select') as SingleSelect;
  select.setAttribute('aria-label', label);
  for (const [v, text] of choices) {
    const option = document.createElement('vscode-option');
    option.setAttribute('value', v);
    option.textContent = text;
    select.appendChild(option);
  }
  // Set before the options render: the element keeps it until they do.
  select.value = value;
  return select;
}
