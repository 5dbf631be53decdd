/** The bench's command line (tools/bench/options.ts): what --instances accepts and refuses. */
import assert from 'node:assert/strict';
import { parseOptions } from '../../tools/bench/options';

const parse = (...argv: string[]) => {
  const options = parseOptions(argv);
  assert.notEqual(options, 'help');
  return options as Exclude<ReturnType<typeof parseOptions>, 'help'>;
};

describe('bench options', () => {
  it('runs one process of each role unless --instances 2 asks for every role twice', () => {
    assert.equal(parse().instances, 1);
    assert.equal(parse('--instances', '2').instances, 2);
  });

  it('refuses other counts, and two instances in one process, naming the flag', () => {
    assert.throws(() => parse('--instances', '3'), /--instances/);
    assert.throws(
      () => parse('--instances', '2', '--processes', 'one'),
      /--instances: two instances of each role need --processes per-role/,
    );
  });
});
