import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { sign, verify, webhookHeaders } from '../../notifier/signature';

const secret = `whsec_${Buffer.from('a 32 byte secret for the tests!!').toString('base64')}`;
const body = JSON.stringify({ paymentId: 'p-1', decision: 'AUTHORIZED' });
const now = Date.UTC(2026, 10, 22, 12, 0, 0);

describe('Standard Webhooks signatures', () => {
  it('signs id.timestamp.body with HMAC-SHA256 under the decoded secret', () => {
    const expected = createHmac('sha256', Buffer.from('a 32 byte secret for the tests!!'))
      .update(`msg_1.1700000000.${body}`)
      .digest('base64');
    assert.equal(sign(secret, 'msg_1', 1_700_000_000, body), `v1,${expected}`);
  });

  it('verifies with the secret', () => {
    assert.deepEqual(verify(secret, webhookHeaders(secret, 'msg_2', body, now), body, now), { ok: true });
  });

  it('fails with a tampered body, another secret, or an old timestamp', () => {
    const headers = webhookHeaders(secret, 'msg_3', body, now);
    assert.deepEqual(verify(secret, headers, body.replace('AUTHORIZED', 'DECLINED'), now), {
      ok: false,
      reason: 'no matching signature',
    });
    assert.deepEqual(verify(`whsec_${Buffer.from('another secret').toString('base64')}`, headers, body, now), {
      ok: false,
      reason: 'no matching signature',
    });
    assert.deepEqual(verify(secret, headers, body, now + 6 * 60_000), { ok: false, reason: 'timestamp outside the tolerance' });
    assert.deepEqual(verify(secret, { ...headers, 'webhook-id': 'msg_other' }, body, now), {
      ok: false,
      reason: 'no matching signature',
    });
  });

  it('accepts any of several signatures (secret rotation)', () => {
    const headers = webhookHeaders(secret, 'msg_4', body, now);
    const rotated = { ...headers, 'webhook-signature': `v1,c29tZXRoaW5nIGVsc2U= ${headers['webhook-signature']}` };
    assert.deepEqual(verify(secret, rotated, body, now), { ok: true });
  });
});
