// Pure helpers of the token panel: labels, the transpose, CSV text and the group lists. Kept apart
// from the DOM so they are tested directly.
import type { MatrixJson, TokensResult } from '../../protocol/result';

/** Tooltip label of a row: the decoded token (leading space as ␣) and its id. */
export function tokenLabel(token: string, id: number): string {
  return `${token}  (id ${id})`;
}

export function transpose(m: MatrixJson): number[][] {
  const rows = m.length;
  const cols = rows ? m[0].length : 0;
  const out: number[][] = Array.from({ length: cols }, () => new Array<number>(rows));
  for (let i = 0; i < rows; i++) {
    const row = m[i];
    for (let j = 0; j < cols; j++) out[j][i] = row[j];
  }
  return out;
}

function cell(s: string): string {
  return /[",\n\r]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The token written for pandas: the real leading space, not the ␣ shown in the panel. */
function rawToken(display: string): string {
  return display.replace(/^␣/, ' ');
}

/** Token, id, then one column per dimension. */
export function rowsCsv(result: TokensResult, rows: MatrixJson): string {
  const lines = [['token', 'token_id', ...Array.from({ length: result.dims }, (_, d) => `d${d}`)].join(',')];
  rows.forEach((row, i) => lines.push([cell(rawToken(result.tokens[i])), result.tokenIds[i], ...row].join(',')));
  return `${lines.join('\n')}\n`;
}

/** Token, id, map x and y, DBSCAN group (-1 ungrouped) and row norm: one line per token. */
export function mapCsv(result: TokensResult): string {
  const lines = ['token,token_id,x,y,group,norm'];
  result.tokens.forEach((t, i) => lines.push([cell(rawToken(t)), result.tokenIds[i], result.coords[i][0], result.coords[i][1], result.labels[i], result.norms[i]].join(',')));
  return `${lines.join('\n')}\n`;
}

/** The groups in label order, then the ungrouped tokens (label −1) when there are any. */
export function groupRows(result: TokensResult): { label: number; indices: number[] }[] {
  const groups = [...result.clusters].sort((a, b) => a.label - b.label).map((c) => ({ label: c.label, indices: c.indices }));
  if (result.ungrouped.indices.length) groups.push({ label: -1, indices: result.ungrouped.indices });
  return groups;
}
