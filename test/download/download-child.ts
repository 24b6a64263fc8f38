// One MechLens client in its own process, for the two-process download tests: fetches a hub model
// or a catalog vector set into a cache, printing every status line, then `done <path>` or `error <message>`.
import { ensureModel } from '../../src/core/models/hub';
import { ensureCatalogVectors, type VectorCatalogEntry } from '../../src/core/vectors/catalog';

const [kind, name, cacheDir, endpoint, entryJson] = process.argv.slice(2);
const say = (line: string) => process.stdout.write(`${line.replace(/\n/g, ' ')}\n`);
// An idle timeout far above any start-up delay of the other child, so the gate never trips it.
const timing = { lockPollMs: 50, statusEveryMs: 60_000, retryDelayMs: 10, idleTimeoutMs: 300_000 };

async function main(): Promise<string> {
  if (kind === 'model') {
    return ensureModel(name, { cacheDir, endpoint, onStatus: (m) => say(`status ${m}`), timing });
  }
  const entry = JSON.parse(entryJson) as VectorCatalogEntry;
  return ensureCatalogVectors(name, { cacheDir, baseUrl: endpoint, catalog: [entry], onStatus: (m) => say(`status ${m}`), timing });
}

main().then(
  (where) => say(`done ${where}`),
  (err: Error) => {
    say(`error ${err.message}`);
    process.exitCode = 1;
  },
);
