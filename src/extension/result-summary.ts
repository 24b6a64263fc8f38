// One-line summaries of a Result, for the status bar and logs.
import type { Result } from '../protocol/result';
import { formatMs } from './log-format';

export interface ResultSummary {
  text: string;
  tooltip: string;
}

export function summarizeResult(result: Result): ResultSummary {
  // Other jobs' results get their own line as their panels land; until then, their title.
  if (result.job !== 'compare') return { text: String(result.title), tooltip: String(result.title) };
  const providers = [...new Set([result.a.source.provider, result.b.source.provider].filter((p): p is string => !!p))];
  const parts = [`${result.a.source.label} vs ${result.b.source.label}`];
  if (providers.length) parts.push(providers.join('+').toUpperCase());
  parts.push(formatMs(result.run.durationMs));
  const tooltip = [
    result.title,
    `${result.items.length} words${result.missing.length ? `, ${result.missing.length} missing` : ''}`,
    `RSA r = ${result.rsa.pearson.toFixed(3)}, ρ = ${result.rsa.spearman.toFixed(3)}${result.rsa.pValue !== null ? `, p = ${result.rsa.pValue.toPrecision(2)}` : ''}`,
    providers.length ? `Execution provider: ${providers.join(', ')}` : 'No model inference (static vectors)',
    `Run time: ${formatMs(result.run.durationMs)}`,
  ].join('\n');
  return { text: parts.join(' · '), tooltip };
}
