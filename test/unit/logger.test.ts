import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { COLD_START_MS } from '../cold-start';

describe('logs (observability/logger.ts)', () => {
  it('are written whole and in order before the process exits, the last line too', async function () {
    this.timeout(COLD_START_MS); // a tsx process, compiling with an empty cache on a fresh machine
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', path.join(__dirname, '../fixtures/log-then-exit.ts')],
      { maxBuffer: 4 << 20 },
    );
    const messages = stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        try {
          return (JSON.parse(line) as { msg: string }).msg;
        } catch {
          return `a line cut at ${line.length} characters`;
        }
      });
    assert.deepEqual(messages, ['a line longer than a pipe holds', 'the last line']);
  });
});
