// Chart export: SVG text as is, PNG rasterized in the page at 2× from that same SVG, both handed
// to the host as an `export` message (the host owns the save dialog and the file write).
import type { FromWebview } from '../protocol/messages';

async function svgToPngBase64(svgText: string, scale = 2): Promise<string> {
  const doc = new DOMParser().parseFromString(svgText, 'image/svg+xml');
  const el = doc.documentElement;
  const width = Number.parseFloat(el.getAttribute('width') ?? '600');
  const height = Number.parseFloat(el.getAttribute('height') ?? '400');
  const url = `data:image/svg+xml;base64,${base64Utf8(svgText)}`;
  const img = new Image();
  await new Promise<void>((resolve, reject) => {
    img.onload = () => resolve();
    img.onerror = () => reject(new Error('the chart could not be rasterized'));
    img.src = url;
  });
  const canvas = document.createElement('canvas');
  canvas.width = Math.round(width * scale);
  canvas.height = Math.round(height * scale);
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('no 2D canvas context');
  ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
  return canvas.toDataURL('image/png').replace(/^data:image\/png;base64,/, '');
}

function base64Utf8(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

export async function exportMessage(name: string, svgText: string, format: 'svg' | 'png'): Promise<FromWebview> {
  if (format === 'svg') return { type: 'export', format, name: `${name}.svg`, content: svgText, encoding: 'utf8' };
  return { type: 'export', format, name: `${name}.png`, content: await svgToPngBase64(svgText), encoding: 'base64' };
}

/** A labelled matrix as CSV: a header row of column labels, then one labelled row per item. */
export function matrixCsv(labels: string[], matrix: number[][]): string {
  const cell = (s: string) => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const lines = [['', ...labels].map(cell).join(',')];
  matrix.forEach((row, i) => lines.push([cell(labels[i] ?? ''), ...Array.from(row, (v) => String(v))].join(',')));
  return `${lines.join('\n')}\n`;
}

/** A table as CSV for pandas.read_csv: a header row, then one row per record; text cells quoted when needed. */
export function tableCsv(columns: string[], rows: (string | number)[][]): string {
  const cell = (v: string | number) => (typeof v === 'number' ? String(v) : /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  return `${[columns, ...rows].map((row) => row.map(cell).join(',')).join('\n')}\n`;
}

/** A float64 C-order .npy file (format 1.0), base64-encoded, that np.load reads as is. */
export function matrixNpyBase64(matrix: number[][]): string {
  const rows = matrix.length;
  const cols = rows ? matrix[0].length : 0;
  let header = `{'descr': '<f8', 'fortran_order': False, 'shape': (${rows}, ${cols}), }`;
  // Magic (6) + version (2) + header length (2) + header, padded with spaces to a multiple of 64, ending in \n.
  const total = Math.ceil((10 + header.length + 1) / 64) * 64;
  header = header.padEnd(total - 10 - 1, ' ') + '\n';
  const bytes = new Uint8Array(total + rows * cols * 8);
  bytes.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0);
  new DataView(bytes.buffer).setUint16(8, header.length, true);
  for (let k = 0; k < header.length; k++) bytes[10 + k] = header.charCodeAt(k);
  const view = new DataView(bytes.buffer, total);
  matrix.forEach((row, i) => row.forEach((v, j) => view.setFloat64((i * cols + j) * 8, v, true)));
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** A numpy/matplotlib snippet that loads the exported .npy and its labels and redraws the heatmap. */
export function heatmapPython(name: string, labels: string[], title: string): string {
  return `# ${title}: redraw the MechLens heatmap from ${name}.npy (export it next to this file).
import json
import numpy as np
import matplotlib.pyplot as plt

S = np.load("${name}.npy")
labels = json.loads(${JSON.stringify(JSON.stringify(labels))})
m = np.abs(S[~np.eye(len(S), dtype=bool)]).max()
fig, ax = plt.subplots(figsize=(8, 7))
im = ax.imshow(S, cmap="RdBu_r", vmin=-m, vmax=m)
step = max(1, len(labels) // 40)
ax.set_xticks(range(0, len(labels), step), labels[::step], rotation=90)
ax.set_yticks(range(0, len(labels), step), labels[::step])
ax.set_title(${JSON.stringify(title)})
fig.colorbar(im, ax=ax, label="cosine similarity")
fig.tight_layout()
plt.show()
`;
}
