import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { KafkaMessage } from 'kafkajs';
import { describeDeadLetter, PREVIEW_CHARS, previewOf } from '../../kafka/dead-letters';

const json = (o: unknown) => Buffer.from(JSON.stringify(o));
const request = {
  paymentId: 'p-1',
  accountId: 'a-1',
  merchantId: 'm-1',
  amount: 100,
  currency: 'EUR',
  requestedAt: '2026-11-22T10:00:00.000Z',
};
const envelope = (data: unknown) => ({
  type: 'payment.authorization.requested',
  version: 1,
  id: randomUUID(),
  occurredAt: '2026-11-22T10:00:00Z',
  data,
});

describe('dead letter previews: what an operator sees of a rejected record', () => {
  it("shows a contract record's fields as they are", () => {
    const value = envelope(request);
    assert.deepEqual(JSON.parse(previewOf(json(value))), value);
  });

  it('replaces every value that is not under a contract field, at any depth, in arrays too', () => {
    const secret = `sk_live_${randomUUID()}`;
    const preview = previewOf(
      json({
        ...envelope({ ...request, cardNumber: '4111111111111111', auth: { token: secret }, keys: [secret] }),
        password: secret,
      }),
    );
    assert.ok(!preview.includes(secret) && !preview.includes('4111111111111111'), preview);
    assert.deepEqual(JSON.parse(preview).data, {
      ...request,
      cardNumber: '[redacted]',
      auth: { token: '[redacted]' },
      keys: ['[redacted]'],
    });
    assert.equal(JSON.parse(preview).password, '[redacted]');
  });

  it('shows nothing of a value that is not JSON, nor of a bare JSON value', () => {
    const secret = `sk_live_${randomUUID()}`;
    assert.equal(previewOf(Buffer.from(`{"apiKey":"${secret}"`)), `(not JSON, ${secret.length + 12} bytes)`);
    assert.equal(previewOf(json(secret)), '"[redacted]"');
    assert.equal(previewOf(null), '(empty)');
  });

  it(`cuts a preview to ${PREVIEW_CHARS} characters`, () => {
    assert.equal(
      previewOf(
        json(envelope({ ...request, paymentId: 'p'.repeat(100), accountId: 'a'.repeat(100), merchantId: 'm'.repeat(100) })),
      ).length,
      PREVIEW_CHARS,
    );
  });

  it('drops the quote of the value from a reason written before reasons kept none', () => {
    const message = {
      offset: '7',
      key: Buffer.from('a-1'),
      value: Buffer.from('sk_live_0123456789'),
      headers: { 'dlt-reason': Buffer.from(`value is not JSON: Unexpected token 's', "sk_live_01"... is not valid JSON`) },
    } as unknown as KafkaMessage;
    assert.equal(describeDeadLetter(0, message).reason, 'value is not JSON');
  });
});
