/** The bench's command line (tools/bench/options.ts): what --instances, --warm-up and --seed-payments accept and refuse. */
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

  it('warms up 10 s unless told otherwise, not at all with 0s or in the smoke run, and refuses a non-duration', () => {
    assert.equal(parse().warmUpMs, 10_000);
    assert.equal(parse('--warm-up', '30s').warmUpMs, 30_000);
    assert.equal(parse('--warm-up', '0s').warmUpMs, 0);
    assert.equal(parse('--smoke').warmUpMs, 0);
    assert.throws(() => parse('--warm-up', 'soon'), /--warm-up/);
  });

  it('seeds no payments unless told a count, and refuses a negative one', () => {
    assert.equal(parse().seedPayments, 0);
    assert.equal(parse('--seed-payments', '100000').seedPayments, 100_000);
    assert.throws(() => parse('--seed-payments', '-1'), /--seed-payments/);
  });
});
