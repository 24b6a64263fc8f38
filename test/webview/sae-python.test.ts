// The SAE panel's "Copy as Python": the script for a feature card, run with Debian's python3 (numpy,
// matplotlib on Agg, the figure drawn), prints the density and maximum the panel shows; its sae_lens
// branch (--sae-lens) names the SAE the way SAELens loads it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { SaeResult } from '../../src/protocol/result';
import { pythonForCard, pythonScriptExists } from '../../src/webview/python-cards';

const result = JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', 'sae-result.regression.json'), 'utf8')) as SaeResult;

test('each feature card has a script that reproduces its density and maximum; others have none', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mechlens-sae-python-'));
  try {
    for (const profile of result.profiles.slice(0, 3)) {
      const name = `sae-feature-${profile.feature}`;
      assert.ok(pythonScriptExists(result, name));
      const script = pythonForCard(result, name)!;
      assert.match(script, /SAE\.load_from_disk\(SAE_PATH\)/);
      assert.match(script, /sae\.encode\(cache\[HOOK\]\)/);
      const file = path.join(dir, `${name}.py`);
      fs.writeFileSync(file, script);
      const r = spawnSync('/usr/bin/python3', [file], { encoding: 'utf8', env: { ...process.env, MPLBACKEND: 'Agg' } });
      assert.equal(r.status, 0, r.stderr);
      const numbers = JSON.parse(r.stdout.split('\n')[0]) as { feature: number; density: number; max: number; meanActive: number };
      assert.equal(numbers.feature, profile.feature);
      assert.ok(Math.abs(numbers.density - profile.density) < 1e-6, `density ${numbers.density} vs ${profile.density}`);
      assert.ok(Math.abs(numbers.max - profile.max) < 1e-6, `max ${numbers.max} vs ${profile.max}`);
      assert.ok(Math.abs(numbers.meanActive - profile.meanActive) < 1e-5 * Math.max(1, profile.meanActive), `mean when active ${numbers.meanActive} vs ${profile.meanActive}`);
    }
    assert.equal(pythonScriptExists(result, 'sae-feature-999999'), false);
    const catalog: SaeResult = { ...result, sae: { ...result.sae, release: 'gpt2-small-res-jb', saeId: 'blocks.8.hook_resid_pre' } };
    assert.match(pythonForCard(catalog, `sae-feature-${result.profiles[0].feature}`)!, /RELEASE = "gpt2-small-res-jb"/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
