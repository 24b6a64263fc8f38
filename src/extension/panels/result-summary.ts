// One-line summaries of each job's Result, for the status bar and logs (the extension's job table,
// job-table.ts, picks the one for a result).
import type { AttentionResult, AttributionResult, CompareResult, ContrastResult, HeadDetector, HeadsResult, MatchResult, SaeResult, TokensResult } from '../../protocol/result';
import type { LensResult } from '../../protocol/lens';
import { formatMs } from '../log-format';
import { letterWords } from '../../core/analyses/match';

export interface ResultSummary {
  text: string;
  tooltip: string;
}

export function summarizeCompare(result: CompareResult): ResultSummary {
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

export function summarizeContrast(result: ContrastResult): ResultSummary {
  const time = formatMs(result.run.durationMs);
  return {
    text: `${result.model.label} · ${result.hook} · ${result.provider.toUpperCase()} · ${time}`,
    tooltip: [
      result.title,
      `${result.groups[0]} vs ${result.groups[1]}: ${result.significant.length} of ${result.t.length} neurons significant`,
      `Execution provider: ${result.provider}`,
      `Run time: ${time}`,
    ].join('\n'),
  };
}

export function summarizeAttention(result: AttentionResult): ResultSummary {
  const time = formatMs(result.run.durationMs);
  return {
    text: `${result.model.label} · layer ${result.layer} Q/K · ${result.provider.toUpperCase()} · ${time}`,
    tooltip: [
      result.title,
      `${result.items.length} words${result.missing.length ? `, ${result.missing.length} not single tokens` : ''}`,
      `RSA Q vs K r = ${result.rsa.pearson.toFixed(3)}, ρ = ${result.rsa.spearman.toFixed(3)}${result.rsa.pValue !== null ? `, p = ${result.rsa.pValue.toPrecision(2)}` : ''}`,
      `Execution provider: ${result.provider}`,
      `Run time: ${time}`,
    ].join('\n'),
  };
}

export function summarizeSae(result: SaeResult): ResultSummary {
  const time = formatMs(result.run.durationMs);
  const tokens = result.texts.reduce((n, t) => n + t.tokens.length, 0);
  const ve = result.texts.map((t) => t.varianceExplained).filter((v): v is number => v !== null);
  return {
    text: `${result.sae.label} · ${tokens} tokens · mean L0 ${result.meanL0.toFixed(1)} · ${time}`,
    tooltip: [
      result.title,
      `${result.sae.architecture} SAE, ${result.dSae.toLocaleString('en-US')} features at ${result.hook}`,
      `${result.texts.length} texts, ${tokens} tokens, mean L0 ${result.meanL0.toFixed(1)}`,
      ve.length ? `Variance explained ${Math.min(...ve).toFixed(3)} to ${Math.max(...ve).toFixed(3)}` : 'No reconstruction (only some features computed, or one token per text)',
      `Run time: ${time}`,
    ].join('\n'),
  };
}

export function summarizeMatch(result: MatchResult): ResultSummary {
  const time = formatMs(result.run.durationMs);
  const rsa = result.rsa;
  return {
    text: `${result.a.label} ∩ ${result.b.label} · ${result.matches.length} words · ${time}`,
    tooltip: [
      result.title,
      `${result.matches.length} of ${result.count} ${letterWords(result.length)} matched after ${result.scanned.toLocaleString('en-US')} rows of ${result.a.label}`,
      rsa ? `RSA r = ${rsa.pearson.toFixed(3)}, S_c = ${rsa.cosine.toFixed(3)}` : 'No comparison (fewer than 3 matches, or skipped)',
      `Run time: ${time}`,
    ].join('\n'),
  };
}

export function summarizeTokens(result: TokensResult): ResultSummary {
  const time = formatMs(result.run.durationMs);
  const map = result.method === 'tsne' ? `t-SNE (perplexity ${result.map.perplexity ?? '—'})` : 'PCA';
  return {
    text: `${result.model.label} · ${result.tokens.length} tokens · ${map} · ${time}`,
    tooltip: [
      result.title,
      `${result.tokens.length} tokens × ${result.dims} dims, ${map}`,
      `DBSCAN eps ${result.map.eps}, min_samples ${result.map.minSamples}: ${result.clusters.length} groups, ${result.ungrouped.indices.length} ungrouped`,
      `Run time: ${time}`,
    ].join('\n'),
  };
}

/** The heads panel's line: the model, what ran, and the strongest induction head. */
export function summarizeHeads(result: HeadsResult): ResultSummary {
  const time = formatMs(result.run.durationMs);
  const best = (name: HeadDetector) => {
    let top = { l: 0, h: 0, score: -Infinity };
    result.scores[name].forEach((row, l) => row.forEach((score, h) => { if (score > top.score) top = { l, h, score }; }));
    return `L${top.l}H${top.h} ${top.score.toFixed(3)}`;
  };
  const what = result.probe ? `${result.probe.tokens} random tokens ×2` : `${result.texts.length} text${result.texts.length === 1 ? '' : 's'}`;
  return {
    text: `${result.model.label} · heads · ${what} · ${result.provider.toUpperCase()} · ${time}`,
    tooltip: [
      result.title,
      `${result.nLayer} layers × ${result.nHead} heads`,
      `Top previous-token head ${best('previousToken')}, duplicate-token ${best('duplicateToken')}, induction ${best('induction')}`,
      `Execution provider: ${result.provider}`,
      `Run time: ${time}`,
    ].join('\n'),
  };
}

export function summarizeAttribution(result: AttributionResult): ResultSummary {
  const time = formatMs(result.run.durationMs);
  const what = result.contrast ? `${result.target.token} − ${result.contrast.token}` : result.target.token;
  const first = result.texts[0];
  return {
    text: `${result.model.label} · ${what} · ${result.provider.toUpperCase()} · ${time}`,
    tooltip: [
      result.title,
      `${result.texts.length} text${result.texts.length === 1 ? '' : 's'}; first: logit difference ${first ? first.logitDiff.toPrecision(4) : 'n/a'}${result.softcap !== null ? ' (before the final softcap)' : ''}`,
      `Execution provider: ${result.provider}`,
      `Run time: ${time}`,
    ].join('\n'),
  };
}

export function summarizeLens(result: LensResult): ResultSummary {
  const time = formatMs(result.run.durationMs);
  const tokens = result.texts.reduce((n, t) => n + t.tokens.length, 0);
  return {
    text: `${result.model.label} · logit lens${result.target ? ` "${result.target.word}"` : ''} · ${result.provider.toUpperCase()} · ${time}`,
    tooltip: [
      result.title,
      `${result.texts.length} texts, ${tokens} tokens, ${result.nLayer} layers, top ${result.topK}`,
      `Execution provider: ${result.provider}`,
      `Run time: ${time}`,
    ].join('\n'),
  };
}
