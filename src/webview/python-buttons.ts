// The "Python" button of every exportable card (see python-cards.ts for the scripts). Kept apart
// from the scripts, which tests import under Node without a DOM.
import type { FromWebview } from '../protocol/messages';
import type { Result } from '../protocol/result';
import { pythonForCard, pythonScriptExists } from './python-cards';

interface Poster { post(message: FromWebview): void }

/**
 * Gives every exportable card of a rendered panel its "Python" button (replacing a heatmap-only
 * snippet button where a card had one). Cards carry their export name in `data-export-name`.
 */
export function addPythonExports(page: HTMLElement, result: Result, host: Poster): void {
  for (const cardEl of Array.from(page.querySelectorAll<HTMLElement>('[data-export-name]'))) {
    const name = cardEl.getAttribute('data-export-name') ?? '';
    const actions = cardEl.querySelector('.ml-card-actions');
    if (!actions || !pythonScriptExists(result, name)) continue;
    actions.querySelector('[data-export="python"]')?.remove();
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'ml-icon-button';
    button.setAttribute('data-export', 'python');
    button.title = 'Copy as Python: a numpy/scipy/scikit-learn script that recomputes these numbers from the exported data and redraws the chart';
    const glyph = document.createElement('span');
    glyph.className = 'codicon codicon-copy';
    glyph.setAttribute('aria-hidden', 'true');
    button.append(glyph, document.createTextNode('Python'));
    // Built on click: the script embeds the data, which can be megabytes.
    button.addEventListener('click', () => {
      const content = pythonForCard(result, name);
      if (content) host.post({ type: 'export', format: 'python', name: `${name}.py`, content, encoding: 'utf8' });
    });
    actions.appendChild(button);
  }
}
