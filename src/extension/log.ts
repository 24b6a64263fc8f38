// The "MechLens" log output channel: every step of a run with its duration, and every error with
// its full detail (the user sees one sentence; the log keeps the stack and the cause).
import * as vscode from 'vscode';
import { MechLensError } from '../core/errors';
import { formatMs } from './log-format';

export class Log implements vscode.Disposable {
  readonly channel: vscode.LogOutputChannel;

  constructor() {
    this.channel = vscode.window.createOutputChannel('MechLens', { log: true });
  }

  info(message: string): void {
    this.channel.info(message);
  }

  warn(message: string): void {
    this.channel.warn(message);
  }

  /** Runs one step and logs its duration, or its failure with the full error. */
  async step<T>(name: string, work: () => PromiseLike<T> | T): Promise<T> {
    const started = performance.now();
    this.channel.info(`${name}…`);
    try {
      const value = await work();
      this.channel.info(`${name} done in ${formatMs(performance.now() - started)}`);
      return value;
    } catch (err) {
      this.channel.warn(`${name} stopped after ${formatMs(performance.now() - started)}`);
      throw err;
    }
  }

  error(context: string, err: unknown): void {
    this.channel.error(`${context}: ${describeError(err)}`);
  }

  show(): void {
    this.channel.show(true);
  }

  dispose(): void {
    this.channel.dispose();
  }
}

export { formatMs };

/** The full detail of an error, its causes included, for the log. */
function describeError(err: unknown): string {
  const parts: string[] = [];
  let current: unknown = err;
  for (let depth = 0; current !== undefined && depth < 5; depth++) {
    if (current instanceof MechLensError) {
      parts.push(`[${current.code}] ${current.stack ?? current.message}`);
    } else if (current instanceof Error) {
      parts.push(current.stack ?? `${current.name}: ${current.message}`);
    } else {
      parts.push(String(current));
    }
    current = current instanceof Error ? current.cause : undefined;
    if (current !== undefined) parts.push('caused by:');
  }
  return parts.join('\n');
}
