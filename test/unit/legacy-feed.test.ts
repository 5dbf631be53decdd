import assert from 'node:assert/strict';
import { planFeed } from '../../tools/legacy/feed';

const base = {
  accountIds: ['a', 'b'],
  updates: 4,
  balance: 10_000,
  currency: 'EUR',
  startAsOf: new Date('2026-01-01T00:00:00Z'),
};

describe('legacy feed simulator', () => {
  it('publishes each account version once, in order, without faults', () => {
    const records = planFeed({ ...base, duplicateRate: 0, reorderRate: 0, random: () => 0.5 });
    assert.deepEqual(
      records.map((r) => `${r.accountId}${r.version}`),
      ['a1', 'a2', 'a3', 'a4', 'b1', 'b2', 'b3', 'b4'],
    );
    assert.equal(records[1]!.asOf, '2026-01-01T00:00:01.000Z');
  });

  it('duplicates and reorders as asked', () => {
    const records = planFeed({ ...base, accountIds: ['a'], duplicateRate: 1, reorderRate: 1, random: () => 0 });
    // Every adjacent pair swapped in turn moves version 1 to the end; every record is sent twice.
    assert.deepEqual(
      records.map((r) => r.version),
      [2, 2, 3, 3, 4, 4, 1, 1],
    );
  });

  it('keeps balances whole and non-negative', () => {
    const records = planFeed({ ...base, updates: 50, duplicateRate: 0, reorderRate: 0 });
    assert.ok(records.every((r) => Number.isInteger(r.balance) && r.balance >= 0));
  });
});
