// Small DOM pieces the charts' own controls and lists are made of, styled with the theme's input
// and button colors (the charts also run outside the panel, where the vscode-elements are absent).

/** An element with a class and text (as textContent, never HTML); the panels build with it too. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

/** A muted paragraph. */
export function note(text: string): HTMLElement {
  const p = el('p', 'ml-note');
  p.textContent = text;
  return p;
}

export function styleInput(input: HTMLElement): void {
  Object.assign(input.style, {
    background: 'var(--vscode-input-background)', color: 'var(--vscode-input-foreground)',
    border: '1px solid var(--vscode-input-border, transparent)', borderRadius: '2px', padding: '3px 6px',
    fontFamily: 'inherit', fontSize: 'inherit',
  });
}

/** A secondary button. */
export function button(text: string, className: string, title: string): HTMLButtonElement {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = className;
  b.textContent = text;
  b.title = title;
  Object.assign(b.style, {
    background: 'var(--vscode-button-secondaryBackground)', color: 'var(--vscode-button-secondaryForeground)',
    border: '1px solid var(--vscode-button-border, transparent)', borderRadius: '2px', padding: '3px 9px',
    fontFamily: 'inherit', fontSize: 'inherit', cursor: 'pointer',
  });
  return b;
}
