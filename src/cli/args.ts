// A small, strict argument parser for the CLI contract: `--name value`, repeatable options,
// and boolean flags. Unknown options are errors, so a typo never silently changes a run.
import { MechLensError } from '../core/errors';

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

export function numberOption(command: string, args: ParsedArgs, name: string, fallback: number, check: (n: number) => boolean = Number.isFinite, description?: string): number {
  const raw = args[name];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (typeof raw !== 'string' || raw.trim() === '' || !check(n)) {
    throw new MechLensError('bad-argument', `--${name} must be a valid number, got "${String(raw)}"`, {
      input: `mechlens ${command}`, ...(description ? { fix: `--${name}: ${description}.` } : {}),
    });
  }
  return n;
}

export function helpText(command: string, summary: string, spec: Record<string, OptionSpec>): string {
  const lines = Object.entries(spec).map(([k, s]) => `  --${k}${s.flag ? '' : ' VALUE'}${s.required ? ' (required)' : ''}\n      ${s.description}`);
  return `mechlens ${command}: ${summary}\n\n${lines.join('\n')}\n`;
}
