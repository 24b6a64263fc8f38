// Chart export: SVG text as is, PNG rasterized in the page at 2× from that same SVG, both handed
// to the host as an `export` message (the host owns the save dialog and the file write).
import type { FromWebview } from '../protocol/messages';

export async function svgToPngBase64(svgText: string, scale = 2): Promise<string> {
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
