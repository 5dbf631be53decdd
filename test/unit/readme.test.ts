import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { SETTINGS } from '../../config';
import { renderConfigurationReference, SETTING_DOCS } from '../../config/reference';

const root = path.resolve(__dirname, '../..');

describe('README and the configuration reference', () => {
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');

  it('documents every setting of the configuration module exactly once', () => {
    const documented = SETTING_DOCS.flatMap((s) => s.rows.flatMap((r) => r.settings));
    assert.deepEqual([...documented].sort(), [...SETTINGS].sort());
  });

  it('keeps docs/configuration.md as npm run docs:config writes it, and the README links it', () => {
    const file = fs.readFileSync(path.join(root, 'docs', 'configuration.md'), 'utf8');
    assert.equal(file, renderConfigurationReference(), 'stale: run npm run docs:config');
    assert.ok(readme.includes('(docs/configuration.md)'));
  });

  it('names the two commands that .ci/run and a newcomer use', () => {
    assert.match(readme, /^npm start\b/m);
    assert.match(readme, /^npm test\b/m);
    const ci = fs.readFileSync(path.join(root, '.ci/run'), 'utf8');
    assert.match(ci, /^npm test$/m);
  });
});
