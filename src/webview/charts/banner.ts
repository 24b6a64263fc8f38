// Banners above a panel: textBanner (an icon, an optional title and lines of text) for notes and the
// random-weights mark, and the banner that says which words were left out and why, per source.
// Words are text nodes.
import { el } from './form-elements';

export interface TextBannerOptions {
  /** Classes beside ml-banner. */
  className: string;
  /** A codicon name. */
  icon: string;
  title?: string;
  lines: string[];
  role?: 'note' | 'status';
}

export function textBanner(options: TextBannerOptions): HTMLElement {
  const banner = el('div', `ml-banner ${options.className}`);
  if (options.role) banner.setAttribute('role', options.role);
  const icon = el('span', `codicon codicon-${options.icon}`);
  icon.setAttribute('aria-hidden', 'true');
  const body = el('div', 'ml-banner-body');
  if (options.title !== undefined) body.appendChild(el('div', 'ml-banner-title', options.title));
  for (const line of options.lines) body.appendChild(el('div', undefined, line));
  banner.append(icon, body);
  return banner;
}

export interface MissingBannerData {
  /** Words dropped from the analysis. */
  missing: string[];
  /** Per source: which of those it lacks, and which it found only lower-cased or as zero vectors. */
  sources: { label: string; missing: string[]; lowercased?: string[]; zeroVectors?: string[] }[];
}

function wordList(words: string[]): HTMLSpanElement {
  const span = document.createElement('span');
  for (const w of words) {
    const code = document.createElement('code');
    code.className = 'ml-word';
    code.textContent = w;
    span.appendChild(code);
  }
  return span;
}

function line(text: string, words: string[]): HTMLDivElement {
  const div = document.createElement('div');
  div.append(document.createTextNode(text), wordList(words));
  return div;
}

/** Renders nothing (and returns null) when there is nothing to say. */
export function missingBanner(container: HTMLElement, data: MissingBannerData): HTMLElement | null {
  const lowercased = data.sources.filter((s) => s.lowercased?.length);
  const zero = data.sources.filter((s) => s.zeroVectors?.length);
  if (data.missing.length === 0 && lowercased.length === 0 && zero.length === 0) return null;
  const banner = document.createElement('div');
  banner.className = 'ml-banner ml-missing-banner';
  banner.setAttribute('role', 'status');
  const icon = document.createElement('span');
  icon.className = 'codicon codicon-warning';
  const body = document.createElement('div');
  body.className = 'ml-banner-body';
  if (data.missing.length > 0) {
    const title = document.createElement('div');
    title.className = 'ml-banner-title';
    title.textContent = `${data.missing.length} word${data.missing.length === 1 ? '' : 's'} left out: not in every source`;
    body.appendChild(title);
    for (const s of data.sources) if (s.missing.length) body.appendChild(line(`Missing from ${s.label}: `, s.missing));
  }
  for (const s of lowercased) body.appendChild(line(`Found only lower-cased in ${s.label}: `, s.lowercased ?? []));
  for (const s of zero) body.appendChild(line(`Zero vectors in ${s.label} (similarity shown as 0): `, s.zeroVectors ?? []));
  banner.append(icon, body);
  container.appendChild(banner);
  return banner;
}
