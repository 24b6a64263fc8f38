// Every fast-check property in the suite runs from one fixed seed, so a failure in CI reproduces
// exactly; fast-check prints the seed and the counterexample's path when a property fails.
// MECHLENS_FC_SEED=<n> picks another seed, MECHLENS_FC_SEED=random a fresh one per run (printed here)
// for exploring. scripts/run-tests.mjs loads this file into every test process with --import.
import fc from 'fast-check';

export const DEFAULT_FAST_CHECK_SEED = 20261206;

const wanted = process.env.MECHLENS_FC_SEED;
const seed = wanted === 'random' ? (Date.now() ^ (Math.random() * 0x100000000)) | 0 : wanted ? Number(wanted) : DEFAULT_FAST_CHECK_SEED;
if (!Number.isInteger(seed)) throw new Error(`MECHLENS_FC_SEED must be an integer or "random", got "${wanted}"`);
if (wanted === 'random') process.stderr.write(`fast-check seed ${seed} (MECHLENS_FC_SEED=${seed} repeats this run)\n`);
fc.configureGlobal({ ...fc.readConfigureGlobal(), seed });
