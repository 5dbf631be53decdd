/**
 * The alerting rules load in Prometheus (`promtool check rules`) and fire as their cases say (`promtool test
 * rules`); promtool comes from stack/promtool.ts.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { loadConfig } from '../../config';
import { provisionPromtool } from '../../tools/stack/promtool';
import { StackError } from '../../tools/stack/proc';

const RULES = path.resolve(__dirname, '../../observability/alerts.rules.yml');
const CASES = path.resolve(__dirname, '../../observability/alerts.rules.test.yml');

describe('observability/alerts.rules.yml in promtool', function () {
  // promtool is a 100 MB binary: its first start on a busy machine (the cluster's nine engines) took over 2 s.
  this.timeout(60_000);
  let promtool: string;

  before(async function () {
    // The first run downloads Debian's prometheus package (about 20 MB) into the cache.
    this.timeout(5 * 60_000);
    try {
      promtool = await provisionPromtool(loadConfig());
    } catch (err) {
      if (!(err instanceof StackError)) throw err;
      console.log(`    skipped: ${err.message}`);
      this.skip();
    }
  });

  it('passes `promtool check rules`', () => {
    const run = spawnSync(promtool, ['check', 'rules', RULES], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /SUCCESS: \d+ rules found/);
  });

  it('passes `promtool test rules`: alerts fire after their `for:` with their labels and annotations', () => {
    const run = spawnSync(promtool, ['test', 'rules', CASES], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /SUCCESS/);
  });
});
