/**
 * The operator console's sign-in and its guards, over HTTP on the real engines: the session cookie's attributes,
 * CSRF on every write made with it, the Content-Security-Policy of its pages, sessions shared by api processes,
 * and a client token refused on every operator operation the OpenAPI document declares.
 */
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApiApp } from '../../api/app';
import { openApiDocument } from '../../api/openapi';
import { listen } from '../../roles/listen';
import { contractFetch } from '../api-contract';
import { pipelineForSuite, TOKENS } from './pipeline-harness';

describe('operator console: sign-in, session cookie, CSRF and CSP (real engines)', function () {
  this.timeout(60_000);
  const h = pipelineForSuite();

  const signIn = (token: string, headers: Record<string, string> = {}) => h.post('/console/session', { token }, headers);

  /** Signs in as the operator; the cookie header to send and the session's CSRF token. */
  async function operatorSession() {
    const res = await signIn(TOKENS.operator);
    assert.equal(res.status, 201);
    const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
    const { csrfToken } = (await res.json()) as { csrfToken: string };
    return { cookie, csrfToken };
  }

  it('serves the console page and its script from the api, under a CSP that allows only its own origin', async () => {
    const page = await fetch(`${h.apiUrl}/console`);
    assert.equal(page.status, 200);
    const csp = page.headers.get('content-security-policy') ?? '';
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'self'(;|$)/, 'no inline script, no other origin');
    assert.match(csp, /frame-ancestors 'none'/);
    const html = await page.text();
    assert.doesNotMatch(html, /(src|href)="(https?:)?\/\//, 'nothing from another origin (no CDN)');
    assert.doesNotMatch(html, /<script>/, 'no inline script');
    const script = await fetch(`${h.apiUrl}/console/console.js`);
    assert.equal(script.status, 200);
    assert.match(script.headers.get('content-type') ?? '', /^text\/javascript/);
    assert.match(await script.text(), /console\/session/, 'the bundle built from console/*.ts');
  });

  it('opens a session only for an operator token, in an HttpOnly SameSite=Strict cookie', async () => {
    const client = await signIn(TOKENS.client);
    assert.equal(client.status, 403, 'a client token cannot sign in');
    assert.equal(client.headers.get('set-cookie'), null);
    assert.equal((await signIn('not-a-token-of-any-kind-at-all')).status, 401);
    assert.equal((await signIn(TOKENS.operator, { origin: 'https://evil.example' })).status, 403, 'login CSRF refused');

    const res = await signIn(TOKENS.operator);
    assert.equal(res.status, 201);
    const cookie = res.headers.get('set-cookie') ?? '';
    assert.match(cookie, /^paysaga_session=[A-Za-z0-9_-]{43};/);
    for (const attribute of ['HttpOnly', 'SameSite=Strict', 'Path=/'])
      assert.ok(cookie.includes(attribute), `${attribute} in ${cookie}`);
    const body = await res.text();
    assert.ok(!body.includes(TOKENS.operator) && !cookie.includes(TOKENS.operator), 'the token is never echoed');
    const session = JSON.parse(body) as { operator: string; temporalUiUrl: string };
    assert.equal(session.operator, 'alice');
    assert.match(session.temporalUiUrl, /\/namespaces\/default\/workflows$/);
  });

  it('lets the cookie read, and write only with the CSRF token from its own origin', async () => {
    const { cookie, csrfToken } = await operatorSession();
    const paymentId = await h.submit({ accountId: h.accountId() });
    assert.equal((await contractFetch(`${h.apiUrl}/payments/${paymentId}`, { headers: { cookie } })).status, 200);

    const override = (headers: Record<string, string>) =>
      h.post(`/payments/${paymentId}/override`, { decision: 'decline', reason: 'console test' }, { cookie, ...headers });
    assert.equal((await override({})).status, 403, 'no CSRF token');
    assert.equal((await override({ 'x-csrf-token': 'x'.repeat(43) })).status, 403, 'a wrong CSRF token');
    assert.equal((await override({ 'x-csrf-token': csrfToken, origin: 'https://evil.example' })).status, 403, 'another origin');
    const applied = await override({ 'x-csrf-token': csrfToken, origin: h.apiUrl });
    assert.equal(applied.status, 202, await applied.clone().text());
    const audit = await h.pool.query(`select operator from operator_audit where payment_id = $1`, [paymentId]);
    assert.deepEqual(
      audit.rows.map((r) => r.operator),
      ['alice'],
      'the override is audited under the operator of the session',
    );
  });

  it('serves a session from any api process, and ends it at sign-out', async () => {
    const { cookie, csrfToken } = await operatorSession();
    // A second api process that shares only the database.
    const other: Server = await listen(createApiApp({ pool: h.pool, client: h.client, config: h.config }), 0);
    try {
      const otherUrl = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
      assert.equal((await contractFetch(`${otherUrl}/console/session`, { headers: { cookie } })).status, 200);
      const out = await contractFetch(`${otherUrl}/console/session`, {
        method: 'DELETE',
        headers: { cookie, 'x-csrf-token': csrfToken },
      });
      assert.equal(out.status, 204);
      assert.match(out.headers.get('set-cookie') ?? '', /Max-Age=0/);
      assert.equal((await contractFetch(`${h.apiUrl}/console/session`, { headers: { cookie } })).status, 401);
      assert.equal((await contractFetch(`${h.apiUrl}/payments?limit=1`, { headers: { cookie } })).status, 401);
    } finally {
      other.closeAllConnections();
      await new Promise((r) => other.close(r));
    }
  });

  it('refuses a client token (403) on every operator operation the OpenAPI document declares', async () => {
    const paths = openApiDocument().paths as Record<string, Record<string, { security?: Record<string, unknown>[] }>>;
    const operatorOnly = Object.entries(paths).flatMap(([template, item]) =>
      Object.entries(item)
        .filter(([, op]) => op.security?.length && op.security.every((s) => !('clientBearer' in s)))
        .map(([method]) => ({ method: method.toUpperCase(), path: template.replace(/\{[^}]+\}/g, 'x1') })),
    );
    assert.ok(operatorOnly.length >= 6, `operator operations found: ${operatorOnly.map((o) => o.path).join(', ')}`);
    for (const { method, path } of operatorOnly) {
      const res = await contractFetch(h.apiUrl + path, {
        method,
        headers: { authorization: `Bearer ${TOKENS.client}`, 'content-type': 'application/json' },
        ...(method === 'GET' ? {} : { body: JSON.stringify({ reason: 'r', decision: 'approve' }) }),
      });
      assert.equal(res.status, 403, `${method} ${path}`);
    }
  });
});
