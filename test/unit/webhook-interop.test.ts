import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { verify, webhookHeaders } from '../../notifier/signature';

// Standard Webhooks' reference library checks timestamps against the real clock, so these tests sign now.
const key = randomBytes(32);
const secret = `whsec_${key.toString('base64')}`;
const otherSecret = `whsec_${randomBytes(32).toString('base64')}`;
const body = JSON.stringify({ type: 'payment.authorization.decided', data: { paymentId: 'p-1', decision: 'AUTHORIZED' } });
const tampered = body.replace('AUTHORIZED', 'DECLINED');

/** The headers the reference library sends for one message. */
function referenceHeaders(signingSecret: string, id: string, payload: string): Record<string, string> {
  const now = new Date();
  return {
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
    'webhook-signature': new Webhook(signingSecret).sign(id, now, payload),
  };
}

const refused = (fn: () => unknown) => assert.throws(fn, WebhookVerificationError);

describe('Standard Webhooks interoperability (the standardwebhooks reference library)', () => {
  it("verifies paysaga's webhook id, timestamp and signature with the reference library", () => {
    const headers = webhookHeaders(secret, 'evt_1', body);
    assert.deepEqual(new Webhook(secret).verify(body, headers), JSON.parse(body));
  });

  it("verifies the reference library's signature with paysaga's verifier", () => {
    assert.deepEqual(verify(secret, referenceHeaders(secret, 'evt_2', body), body), { ok: true });
  });

  it('refuses a tampered body and a wrong secret in both directions', () => {
    const ours = webhookHeaders(secret, 'evt_3', body);
    refused(() => new Webhook(secret).verify(tampered, ours));
    refused(() => new Webhook(otherSecret).verify(body, ours));

    const theirs = referenceHeaders(secret, 'evt_4', body);
    assert.deepEqual(verify(secret, theirs, tampered), { ok: false, reason: 'no matching signature' });
    assert.deepEqual(verify(otherSecret, theirs, body), { ok: false, reason: 'no matching signature' });
  });

  it('reads a secret without the whsec_ prefix as base64, as the reference library does', () => {
    const bare = key.toString('base64');
    assert.deepEqual(new Webhook(bare).verify(body, webhookHeaders(bare, 'evt_5', body)), JSON.parse(body));
    assert.deepEqual(verify(bare, referenceHeaders(bare, 'evt_6', body), body), { ok: true });
    // The prefix only names the format: the same key signs alike with and without it.
    assert.deepEqual(verify(secret, webhookHeaders(bare, 'evt_7', body), body), { ok: true });
  });
});
