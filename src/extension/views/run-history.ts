// Every finished run is kept as a `*.mechlens.json` in the extension's storage and listed under
// Runs › Recent, so a run the user did not save can still be reopened (and run again) later.
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Result } from '../../protocol/result';
import { writeJsonFileSync } from '../../core/io/json-stream';
import type { RecentList } from '../recent';

const runSuffix = '.mechlens.json';

/** `compare-2026-12-06T15-22-01-123Z-1.mechlens.json`: the job first so names sort by job in a file list; the counter tells apart runs in one millisecond. */
function historyFileName(job: string, when: Date, counter: number): string {
  return `${job.replace(/[^\w-]+/g, '-')}-${when.toISOString().replace(/[:.]/g, '-')}-${counter}${runSuffix}`;
}

export class RunHistory {
  private counter = 0;

  constructor(private readonly folder: string, private readonly recentRuns: RecentList, private readonly onChange: () => void = () => undefined) {}

  /** Writes the run and puts it first in the recent list; returns the file written. */
  async record(result: Result, when = new Date()): Promise<string> {
    mkdirSync(this.folder, { recursive: true });
    const file = path.join(this.folder, historyFileName(result.job, when, ++this.counter));
    writeJsonFileSync(file, result);
    await this.recentRuns.push(pathToFileURL(file).toString());
    this.removeDropped();
    this.onChange();
    return file;
  }

  /** Files that fell off the end of the recent list are no longer reachable: delete them. */
  private removeDropped(): void {
    const kept = new Set(this.recentRuns.items());
    for (const name of readdirSync(this.folder)) {
      if (!name.endsWith(runSuffix)) continue;
      const file = path.join(this.folder, name);
      if (!kept.has(pathToFileURL(file).toString())) rmSync(file, { force: true });
    }
  }
}
