// The Inspector view's page: renders what the host sends, as text only (words can contain markup).
(function () {
  const vscode = acquireVsCodeApi();
  const app = document.getElementById('app');

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function fmt(x) {
    return typeof x === 'number' && isFinite(x) ? x.toFixed(3).replace('-', '\u2212') : 'n/a';
  }

  function render(data) {
    app.replaceChildren();
    if (!data || data.kind === 'empty') {
      app.appendChild(el('p', 'note', data ? String(data.message) : ''));
      return;
    }
    if (data.kind === 'word') {
      app.appendChild(el('h2', 'title', String(data.word)));
      if (data.category) app.appendChild(el('div', 'subtitle', '[' + String(data.category) + ']'));
      for (const space of data.spaces) {
        app.appendChild(el('h3', 'space', 'Nearest in ' + String(space.label)));
        const table = el('table', 'neighbours');
        for (const n of space.neighbours) {
          const row = el('tr');
          row.appendChild(el('td', 'word', String(n.word)));
          const cell = el('td', 'value', fmt(n.similarity));
          const bar = el('span', 'bar');
          bar.style.width = Math.max(0, Math.min(1, n.similarity)) * 100 + '%';
          cell.prepend(bar);
          row.appendChild(cell);
          table.appendChild(row);
        }
        app.appendChild(table);
      }
      return;
    }
    if (data.kind === 'pair') {
      app.appendChild(el('h2', 'title', String(data.words[0]) + ' \u00d7 ' + String(data.words[1])));
      const table = el('table', 'neighbours');
      for (const space of data.spaces) {
        const row = el('tr');
        row.appendChild(el('td', 'word', String(space.label)));
        row.appendChild(el('td', 'value', fmt(space.similarity)));
        table.appendChild(row);
      }
      app.appendChild(table);
    }
  }

  window.addEventListener('message', (event) => {
    const m = event.data;
    if (m && m.type === 'inspect') render(m.data);
  });
  vscode.postMessage({ type: 'ready' });
})();
