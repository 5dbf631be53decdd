import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { decodeRecord, PoisonRecordError } from '../../kafka/consumer';

const request = {
  paymentId: 'p-1',
  accountId: 'a-1',
  merchantId: 'm-1',
  amount: 100,
  currency: 'EUR',
  requestedAt: '2026-11-22T10:00:00.000Z',
};
const record = (o: Record<string, unknown>) => Buffer.from(JSON.stringify(o));
const valid = {
  type: 'payment.authorization.requested',
  version: 1,
  id: randomUUID(),
  occurredAt: '2026-11-22T10:00:00Z',
  data: request,
};

describe('decoding Kafka records (poison or not)', () => {
  it('decodes a valid envelope and its data', () => {
    const event = decodeRecord('payment.authorization.requested', record(valid));
    assert.deepEqual(event.data, request);
  });

  const poison: [string, Buffer | null, RegExp][] = [
    ['an empty record', null, /no value/],
    ['bad JSON', Buffer.from('{"type":'), /not JSON/],
    ['a missing envelope field', record({ ...valid, id: undefined }), /invalid envelope: id/],
    ['another event type', record({ ...valid, type: 'account.state.updated' }), /unexpected event type/],
    ['an unknown version', record({ ...valid, version: 2 }), /unknown version 2/],
    ['a float amount', record({ ...valid, data: { ...request, amount: 1.5 } }), /amount: must be a whole number/],
    ['an unknown data field', record({ ...valid, data: { ...request, pan: '4111' } }), /pan/],
  ];
  for (const [name, value, reason] of poison) {
    it(`treats ${name} as poison, with the reason`, () => {
      assert.throws(
        () => decodeRecord('payment.authorization.requested', value),
        (err: unknown) => err instanceof PoisonRecordError && reason.test(err.message),
      );
    });
  }

  it('keeps no part of the value in the reason of a value that is not JSON (it is logged and shown to operators)', () => {
    for (const value of ['sk_live_0123456789abcdef', '{"apiKey": sk_live_0123456789abcdef}', 'password=hunter2hunter2']) {
      assert.throws(
        () => decodeRecord('payment.authorization.requested', Buffer.from(value)),
        (err: unknown) =>
          err instanceof PoisonRecordError && /not JSON/.test(err.message) && !/sk_live|hunter2|passw/.test(err.message),
      );
    }
  });
});
