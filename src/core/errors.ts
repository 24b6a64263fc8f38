// One error type for everything the user can fix: it names what failed, on which input, and the fix.
// The CLI prints `message` on one line and exits non-zero; the extension shows it with actions.

export type ErrorCode =
  | 'bad-argument'
  | 'parse'
  | 'not-found'
  | 'format'
  | 'unsupported'
  | 'download'
  | 'cancelled'
  | 'memory'
  | 'model';

export interface ErrorDetail {
  /** File, URL, tensor or argument the error is about. */
  input?: string;
  /** 1-based line number, for text inputs. */
  line?: number;
  /** What the user can do about it. */
  fix?: string;
  cause?: unknown;
}

export class MechLensError extends Error {
  readonly code: ErrorCode;
  readonly input?: string;
  readonly line?: number;
  readonly fix?: string;

  constructor(code: ErrorCode, what: string, detail: ErrorDetail = {}) {
    const where = detail.input ? `${detail.input}${detail.line ? `:${detail.line}` : ''}: ` : '';
    const fix = detail.fix ? ` ${detail.fix.trim()}` : '';
    const stop = /[.!?…]$/.test(what) ? '' : '.';
    super(`${where}${what}${stop}${fix}`, detail.cause ? { cause: detail.cause } : undefined);
    this.name = 'MechLensError';
    this.code = code;
    this.input = detail.input;
    this.line = detail.line;
    this.fix = detail.fix;
  }
}

export class CancelledError extends MechLensError {
  constructor(what = 'Cancelled') {
    super('cancelled', what);
    this.name = 'CancelledError';
  }
}

/** Throws CancelledError if the signal has fired. Call it between chunks of long work. */
export function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new CancelledError();
}
