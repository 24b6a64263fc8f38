// Estimates memory before a big allocation and refuses up front, with a message, rather than letting
// V8 or onnxruntime run the extension host out of memory halfway through a run.
import os from 'node:os';
import { MechLensError } from './errors';

/** Share of free memory one allocation may take when nothing else is configured. */
export const DEFAULT_MEMORY_SHARE = 0.8;

export interface MemoryBudget {
  /** 0 < share ≤ 1 of free memory; default: MECHLENS_MEMORY_SHARE, else 0.8. */
  share?: number;
  /** Free bytes now; default os.freemem(). Tests inject it. */
  freeBytes?: number;
}

/** Bytes of a rows × cols matrix of Float64 (8) or Float32 (4) values. */
export function matrixBytes(rows: number, cols: number, bytesPerValue: 4 | 8 = 8): number {
  return rows * cols * bytesPerValue;
}

/** "20.0 GB", "512.0 MB", "12.0 kB" (decimal units, as the OS's free-memory tools show them). */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) { value /= 1000; unit++; }
  return unit === 0 ? `${Math.round(value)} bytes` : `${value.toFixed(1)} ${units[unit]}`;
}

/** The share in effect: the explicit one, else MECHLENS_MEMORY_SHARE, else 0.8. */
export function memoryShare(explicit?: number): number {
  if (explicit !== undefined) return checkShare(explicit, 'memoryShare');
  const fromEnv = process.env.MECHLENS_MEMORY_SHARE;
  if (fromEnv !== undefined && fromEnv.trim() !== '') return checkShare(Number(fromEnv), 'MECHLENS_MEMORY_SHARE');
  return DEFAULT_MEMORY_SHARE;
}

/**
 * Throws MechLensError('memory') when `bytes` exceeds the allowed share of free memory.
 * `what` names the allocation ("a 50,000 × 50,000 similarity matrix"); `input` the file or spec.
 */
export function assertFits(bytes: number, what: string, input?: string, budget: MemoryBudget = {}): void {
  const share = memoryShare(budget.share);
  const free = budget.freeBytes ?? os.freemem();
  const allowed = free * share;
  if (bytes <= allowed) return;
  throw new MechLensError('memory', `${what} needs ${formatBytes(bytes)}, but only ${formatBytes(free)} of memory is free and MechLens may use ${+(share * 100).toPrecision(3)}% of it (${formatBytes(allowed)})`, {
    input,
    fix: 'Use fewer items (or a smaller model), free some memory, or raise the setting mechlens.memoryShare (CLI: MECHLENS_MEMORY_SHARE) if you are sure it fits.',
  });
}

/** assertFits for an n × n Float64 similarity (or Gram) matrix. */
export function assertSquareFits(n: number, what = 'similarity matrix', input?: string, budget?: MemoryBudget): void {
  assertFits(matrixBytes(n, n, 8), `a ${n.toLocaleString('en-US')} × ${n.toLocaleString('en-US')} ${what}`, input, budget);
}

function checkShare(share: number, name: string): number {
  if (!(share > 0 && share <= 1)) {
    throw new MechLensError('bad-argument', `${name} must be a number above 0 and at most 1, got ${share}`, {
      fix: 'Use for example 0.8 (80% of free memory).',
    });
  }
  return share;
}
