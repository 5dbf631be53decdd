import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { SETTINGS } from '../../config';

describe('README', () => {
  const readme = fs.readFileSync(path.resolve(__dirname, '../../README.md'), 'utf8');

  it('documents every setting of the configuration module', () => {
    const missing = SETTINGS.filter((name) => !readme.includes(`\`${name}\``));
    assert.deepEqual(missing, []);
  });

  it('names the two commands that .ci/run and a newcomer use', () => {
    assert.match(readme, /^npm start\b/m);
    assert.match(readme, /^npm test\b/m);
    const ci = fs.readFileSync(path.resolve(__dirname, '../../.ci/run'), 'utf8');
    assert.match(ci, /^npm test$/m);
  });
});
