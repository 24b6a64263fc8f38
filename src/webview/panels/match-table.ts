// The table of job 3's matches: each word with its row in A and its token in B. Sortable by any
// column (click a header; again to reverse), rows light up under the pointer and can be selected,
// and the panel can select a row from outside (a word clicked in a heatmap). Text only in the DOM.
import type { VocabularyMatch } from '../../protocol/result';
import { el } from './cards';

export type MatchColumn = 'rank' | 'word' | 'indexA' | 'tokenIdB' | 'token';
export interface MatchSort { column: MatchColumn; descending: boolean }

const columns: { key: MatchColumn; label: string; title: string; numeric: boolean }[] = [
  { key: 'rank', label: '#', title: 'Order of the match while walking A', numeric: true },
  { key: 'word', label: 'word', title: 'The word as it appears in A', numeric: false },
  { key: 'indexA', label: 'index in A', title: '0-based row of the word in A\'s file (word2vec files are in frequency order)', numeric: true },
  { key: 'tokenIdB', label: 'token id in B', title: 'The single token\'s id in B\'s tokenizer', numeric: true },
  { key: 'token', label: 'token', title: 'The token as B spells it; ␣ marks a leading space', numeric: false },
];

/** Row order for a sort: indices into `matches`. Ties keep A's order, so every sort is stable and repeatable. */
function sortedRows(matches: readonly VocabularyMatch[], sort: MatchSort): number[] {
  const key = (m: VocabularyMatch, rank: number): string | number => (sort.column === 'rank' ? rank : m[sort.column]);
  const order = matches.map((_, i) => i);
  order.sort((i, j) => {
    const a = key(matches[i], i);
    const b = key(matches[j], j);
    const c = typeof a === 'number' && typeof b === 'number' ? a - b : String(a).localeCompare(String(b));
    return (sort.descending ? -c : c) || i - j;
  });
  return order;
}

export interface MatchTableOptions {
  sort: MatchSort;
  onSort?: (sort: MatchSort) => void;
  /** The pointer entered a row (match index) or left the table (null). */
  onHover?: (index: number | null) => void;
  /** A row was clicked or chosen with Enter; null when the selection was cleared. */
  onSelect?: (index: number | null) => void;
  /** Whether each match made it into the comparison (a word B lacks in the compared form does not). */
  compared?: readonly boolean[];
}

export interface MatchTable {
  element: HTMLElement;
  /** Marks a row as selected and scrolls it into view; null clears. */
  select(index: number | null): void;
  /** Marks a row as hovered from outside (a heatmap cell under the pointer); null clears. */
  highlight(index: number | null): void;
}

export function matchTable(matches: readonly VocabularyMatch[], options: MatchTableOptions): MatchTable {
  let sort = options.sort;
  let selected: number | null = null;
  const wrap = el('div', 'ml-table-scroll');
  const table = el('table', 'ml-table ml-match-table');
  const headRow = el('tr');
  table.appendChild(el('thead')).appendChild(headRow);
  const body = el('tbody');
  table.appendChild(body);
  wrap.appendChild(table);

  const rows = matches.map((m, i) => {
    const tr = el('tr');
    tr.setAttribute('data-index', String(i));
    tr.tabIndex = -1;
    const cells = [String(i + 1), m.word, String(m.indexA), String(m.tokenIdB), m.token];
    cells.forEach((text, c) => {
      const td = el('td', columns[c].numeric ? 'ml-num' : undefined, text);
      td.setAttribute('data-column', columns[c].key);
      tr.appendChild(td);
    });
    if (options.compared && !options.compared[i]) {
      tr.classList.add('ml-not-compared');
      tr.title = `${m.word} is not in the comparison: B has it as one token only ${m.form === 'with' ? 'with' : 'without'} a leading space`;
    }
    tr.addEventListener('mouseenter', () => options.onHover?.(i));
    tr.addEventListener('click', () => choose(i));
    tr.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); choose(i); } });
    return tr;
  });
  body.addEventListener('mouseleave', () => options.onHover?.(null));

  function choose(i: number): void {
    setSelected(selected === i ? null : i, false);
    options.onSelect?.(selected);
  }

  function setSelected(i: number | null, scroll: boolean): void {
    if (selected !== null) rows[selected]?.classList.remove('ml-row-selected');
    rows[selected ?? -1]?.setAttribute('aria-selected', 'false');
    selected = i !== null && i >= 0 && i < rows.length ? i : null;
    if (selected === null) return;
    rows[selected].classList.add('ml-row-selected');
    rows[selected].setAttribute('aria-selected', 'true');
    // Only the table's own scroll box moves: the page stays where the user is looking.
    if (scroll) wrap.scrollTop = rows[selected].offsetTop - wrap.clientHeight / 2;
  }

  function drawHead(): void {
    headRow.replaceChildren();
    for (const c of columns) {
      const th = el('th', c.numeric ? 'ml-num' : undefined);
      const active = sort.column === c.key;
      th.setAttribute('aria-sort', active ? (sort.descending ? 'descending' : 'ascending') : 'none');
      th.setAttribute('data-column', c.key);
      const button = el('button', 'ml-sort', c.label);
      button.type = 'button';
      button.title = `${c.title}. Click to sort.`;
      if (active) button.appendChild(el('span', `codicon codicon-arrow-${sort.descending ? 'down' : 'up'}`));
      button.addEventListener('click', () => {
        sort = { column: c.key, descending: active ? !sort.descending : false };
        drawHead();
        drawBody();
        options.onSort?.(sort);
      });
      th.appendChild(button);
      headRow.appendChild(th);
    }
  }

  function drawBody(): void {
    body.replaceChildren(...sortedRows(matches, sort).map((i) => rows[i]));
  }

  drawHead();
  drawBody();
  let hovered: number | null = null;
  return {
    element: wrap,
    select: (index) => setSelected(index, true),
    highlight(index) {
      if (hovered !== null) rows[hovered]?.classList.remove('ml-row-hover');
      hovered = index;
      if (index !== null) rows[index]?.classList.add('ml-row-hover');
    },
  };
}
