// The example alert rules (docs/ops/userd.rules.yml): valid for Prometheus
// (`promtool check rules`), and each tested alert fires on the series that
// should fire it (`promtool test rules tests/ops/userd.rules.test.yml`).
// tests/bb/ops_metrics.test.mjs also loads them into a real Prometheus
// scraping userd, where every rule must evaluate without error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { REPO } from './lib/harness.mjs';

const promtool = (...args) => spawnSync('promtool', args, { cwd: REPO, encoding: 'utf8', timeout: 60000 });

test('promtool check rules: the example rule file is valid', () => {
  const r = promtool('check', 'rules', path.join(REPO, 'docs/ops/userd.rules.yml'));
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /SUCCESS: 11 rules found/);
});

test('promtool test rules: the alerts fire when they should', () => {
  const r = promtool('test', 'rules', path.join(REPO, 'tests/ops/userd.rules.test.yml'));
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /SUCCESS/);
});
