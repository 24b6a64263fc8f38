// Checks on what a webview asks the host to do, beyond the shape check of isFromWebview: an
// export names a format we write and carries content we can decode, and its suggested file name
// cannot point anywhere but a plain file name.
import type { ExportFormat, FromWebview } from '../../protocol/messages';
import { MechLensError } from '../../core/errors';

export type ExportMessage = Extract<FromWebview, { type: 'export' }>;

interface ExportKind {
  extension: string;
  filterName: string;
  encoding: 'utf8' | 'base64';
}

const exportKinds: Record<ExportFormat, ExportKind> = {
  svg: { extension: 'svg', filterName: 'SVG image', encoding: 'utf8' },
  png: { extension: 'png', filterName: 'PNG image', encoding: 'base64' },
  csv: { extension: 'csv', filterName: 'CSV table', encoding: 'utf8' },
  npy: { extension: 'npy', filterName: 'NumPy array', encoding: 'base64' },
  json: { extension: 'json', filterName: 'JSON', encoding: 'utf8' },
  python: { extension: 'py', filterName: 'Python script', encoding: 'utf8' },
};

/** 256 MB: far above any chart or matrix a panel holds, low enough to refuse garbage. */
const maxExportChars = 256 * 1024 * 1024;

interface ExportPlan {
  fileName: string;
  filters: Record<string, string[]>;
  bytes: Uint8Array;
}

/** A name usable as a default file name: no folders, no control or reserved characters. */
export function safeFileName(name: string, extension: string): string {
  const base = name
    .replace(/\.[A-Za-z0-9]{1,6}$/, '')
    .replace(/[\u0000-\u001f<>:"/\\|?*]+/g, '-')
    .replace(/^[.\s-]+|[.\s-]+$/g, '')
    .slice(0, 120);
  return `${base || 'mechlens-export'}.${extension}`;
}

const base64Pattern = /^[A-Za-z0-9+/]*={0,2}$/;

export function planExport(message: ExportMessage): ExportPlan {
  const kind = Object.prototype.hasOwnProperty.call(exportKinds, message.format) ? exportKinds[message.format] : undefined;
  if (!kind) {
    throw new MechLensError('bad-argument', `The panel asked to export an unknown format "${String(message.format).slice(0, 20)}"`, {
      fix: 'Use one of svg, png, csv, npy, json, python.',
    });
  }
  if (message.encoding !== kind.encoding) {
    throw new MechLensError('format', `A ${message.format} export must arrive ${kind.encoding}-encoded, not ${message.encoding}`);
  }
  if (message.content.length > maxExportChars) {
    throw new MechLensError('memory', `The ${message.format} export is larger than 256 MB`, { fix: 'Export a smaller selection.' });
  }
  let bytes: Uint8Array;
  if (kind.encoding === 'base64') {
    const compact = message.content.replace(/\s+/g, '');
    if (!base64Pattern.test(compact) || compact.length % 4 === 1) {
      throw new MechLensError('format', `The ${message.format} export is not valid base64`);
    }
    bytes = new Uint8Array(Buffer.from(compact, 'base64'));
  } else {
    bytes = new TextEncoder().encode(message.content);
  }
  if (message.format === 'png' && !(bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47)) {
    throw new MechLensError('format', 'The png export does not start with a PNG signature');
  }
  if (message.format === 'npy' && !(bytes[0] === 0x93 && String.fromCharCode(...bytes.slice(1, 6)) === 'NUMPY')) {
    throw new MechLensError('format', 'The npy export does not start with the NumPy magic string');
  }
  return {
    fileName: safeFileName(message.name, kind.extension),
    filters: { [kind.filterName]: [kind.extension] },
    bytes,
  };
}

/**
 * The only pages a panel may ask the host to open in the browser: Neuroscope neuron pages (the
 * contrast panel links each significant neuron there). Checked here again, whatever the protocol
 * guard let through.
 */
export function isOpenableLink(url: unknown): url is string {
  return typeof url === 'string' && /^https:\/\/neuroscope\.io\/[A-Za-z0-9._-]+\/\d+\/\d+\.html$/.test(url);
}
