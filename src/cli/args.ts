// A small, strict argument parser for the CLI contract: `--name value`, repeatable options,
// and boolean flags. Unknown options are errors, so a typo never silently changes a run.
import { MechLensError } from '../core/errors';
import { MAX_PERMUTATIONS, permutationEstimate } from '../core/stats/rsa';

export interface OptionSpec {
  /** Takes a value (default) or is a boolean flag. */
  flag?: boolean;
  /** May appear more than once (collected into an array). */
  repeat?: boolean;
  required?: boolean;
  description: string;
}

export type ParsedArgs = Record<string, string | string[] | boolean | undefined>;

export function parseArgs(command: string, argv: string[], spec: Record<string, OptionSpec>): ParsedArgs {
  const out: ParsedArgs = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) {
      throw new MechLensError('bad-argument', `unexpected argument "${arg}"`, { input: `mechlens ${command}`, fix: `Run "mechlens ${command} --help" for the options.` });
    }
    let name = arg.slice(2);
    let inline: string | undefined;
    const eq = name.indexOf('=');
    if (eq >= 0) { inline = name.slice(eq + 1); name = name.slice(0, eq); }
    const s = spec[name];
    if (!s) {
      throw new MechLensError('bad-argument', `unknown option --${name}`, { input: `mechlens ${command}`, fix: `Known options: ${Object.keys(spec).map((k) => `--${k}`).join(', ')}.` });
    }
    let value: string | boolean;
    if (s.flag) value = true;
    else {
      value = inline ?? argv[++i];
      if (value === undefined) throw new MechLensError('bad-argument', `--${name} needs a value`, { input: `mechlens ${command}`, fix: s.description });
    }
    if (s.repeat) out[name] = [...((out[name] as string[] | undefined) ?? []), value as string];
    else out[name] = value;
  }
  for (const [name, s] of Object.entries(spec)) {
    if (s.required && out[name] === undefined) {
      throw new MechLensError('bad-argument', `--${name} is required`, { input: `mechlens ${command}`, fix: `--${name}: ${s.description}` });
    }
  }
  return out;
}

/** The values a number option allows; the error message says exactly this range. */
export interface NumberRange {
  integer?: boolean;
  /** Inclusive bounds. */
  min?: number;
  max?: number;
  /** Exclusive bounds. */
  above?: number;
  below?: number;
  /** Said after the range when a value is too large (for example how long it would take). */
  tooLarge?: (n: number) => string;
}

/** Decimal numbers only: Number() would also read "0x10" as 16, "0b1", "Infinity" and "1_0" style input. */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** "a whole number from 1 to 100", "a number greater than 0 and less than 1", "a whole number of at least 0". */
export function describeRange(range: NumberRange): string {
  const kind = range.integer ? 'a whole number' : 'a number';
  const { min, max, above, below } = range;
  if (min !== undefined && max !== undefined) return `${kind} from ${min} to ${max}`;
  const parts = [
    min !== undefined ? `of at least ${min}` : above !== undefined ? `greater than ${above}` : '',
    max !== undefined ? `at most ${max}` : below !== undefined ? `less than ${below}` : '',
  ].filter(Boolean);
  return parts.length ? `${kind} ${parts.join(' and ')}` : kind;
}

function inRange(n: number, r: NumberRange): boolean {
  return Number.isFinite(n) && (!r.integer || Number.isSafeInteger(n))
    && (r.min === undefined || n >= r.min) && (r.max === undefined || n <= r.max)
    && (r.above === undefined || n > r.above) && (r.below === undefined || n < r.below);
}

export function numberOption(command: string, args: ParsedArgs, name: string, fallback: number, range: NumberRange = {}, description?: string): number {
  const raw = args[name];
  if (raw === undefined) return fallback;
  const text = typeof raw === 'string' ? raw.trim() : '';
  const n = DECIMAL.test(text) ? Number(text) : NaN;
  if (!inRange(n, range)) {
    const tooLarge = range.tooLarge && Number.isFinite(n) && range.max !== undefined && n > range.max ? ` ${range.tooLarge(n)}` : '';
    const what = DECIMAL.test(text) ? '' : ' (decimal digits only)';
    throw new MechLensError('bad-argument', `--${name} must be ${describeRange(range)}${what}, got "${String(raw)}"${tooLarge}`, {
      input: `mechlens ${command}`, ...(description ? { fix: `--${name}: ${description}.` } : {}),
    });
  }
  return n;
}

export function helpText(command: string, summary: string, spec: Record<string, OptionSpec>): string {
  const lines = Object.entries(spec).map(([k, s]) => `  --${k}${s.flag ? '' : ' VALUE'}${s.required ? ' (required)' : ''}\n      ${s.description}`);
  return `mechlens ${command}: ${summary}\n\n${lines.join('\n')}\n`;
}

/** --permutations of compare, match and attention: bounded, with how long a too-large count would take. */
export const PERMUTATIONS: NumberRange = {
  integer: true, min: 0, max: MAX_PERMUTATIONS,
  tooLarge: (n) => `(that would take ${permutationEstimate(n, 100)} for 100 words; 1000 gives p to 0.001)`,
};
