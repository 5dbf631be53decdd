/**
 * Encrypted histories (temporal/codec.ts, api/codec.ts) on the real engines, with paysaga run as its own process
 * as `npm start` runs it: what Temporal stores of a saga, read with the temporal CLI and no codec, holds no amount,
 * account, balance, operator reason or failure message; the same CLI with the api's codec endpoint shows them; the endpoint answers the Web
 * UI's origin only, an operator only; and a key rotation (new key first, old one kept) lets every waiting saga be
 * decided, each payload readable with the key it names.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import type { AccountState } from '../../contracts/payment';
import { createKafka } from '../../kafka/client';
import { ROLE_NAMES } from '../../roles';
import { newCodecKey, KEY_ID_METADATA, ENCRYPTED_ENCODING, EncryptionCodec } from '../../temporal/codec';
import { publishFeed } from '../../tools/legacy/feed';
import { temporalBinary } from '../../tools/stack/temporal';
import { defaultPayloadConverter } from '@temporalio/common';
import { paymentWorkflowId } from '../../workflows/shared';
import { contractFetch } from '../api-contract';
import { eventually } from '../eventually';
import { skipBacklog, SYSTEM_TOKENS, SystemProcess, systemEnv } from './system-process';

const run = promisify(execFile);
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('encrypted histories: the payload codec and its endpoint (real engines, paysaga as a process)', function () {
  this.timeout(300_000);
  const first = newCodecKey(`k1-${randomUUID().slice(0, 6)}`);
  const second = newCodecKey(`k2-${randomUUID().slice(0, 6)}`);
  const merchantId = `m-codec-${randomUUID().slice(0, 8)}`;
  let env: NodeJS.ProcessEnv;
  let system: SystemProcess;

  const startSystem = async (keys: { id: string; key: string }[]) => {
    system = new SystemProcess({ ...env, TEMPORAL_CODEC_KEYS: JSON.stringify(keys) }, ['run', ROLE_NAMES.join(',')]);
    system.start();
    await system.ready();
  };

  before(async () => {
    // Late account state is never fresh enough: each saga waits until an operator or the feed decides it.
    env = await systemEnv({ ACCOUNT_STATE_DEADLINE: '10m', ACCOUNT_STATE_TIMEOUT_POLICY: 'review' });
    await skipBacklog(new SystemProcess(env, []).config);
    await startSystem([first]);
  });

  after(async () => {
    if (system?.running) await system.stop('SIGKILL');
  });

  const pay = async (accountId: string, amount: number) => {
    const res = await contractFetch(`${system.apiUrl}/payments`, {
      method: 'POST',
      headers: { ...bearer(SYSTEM_TOKENS.client), 'idempotency-key': randomUUID(), 'content-type': 'application/json' },
      body: JSON.stringify({ accountId, merchantId, amount, currency: 'EUR' }),
    });
    const body = await res.text();
    assert.equal(res.status, 202, body);
    return (JSON.parse(body) as { paymentId: string }).paymentId;
  };
  const decision = (paymentId: string) =>
    eventually(
      `payment ${paymentId} decided`,
      async () => {
        const res = await contractFetch(`${system.apiUrl}/payments/${paymentId}`, { headers: bearer(SYSTEM_TOKENS.operator) });
        const view = res.status === 200 ? ((await res.json()) as { decision: string | null; reason: string | null }) : undefined;
        return view?.decision ? view : undefined;
      },
      120_000,
    );
  const temporal = async (...args: string[]) => {
    const cli = temporalBinary(system.config);
    assert.ok(cli, 'the stack provisioned a temporal CLI');
    const { stdout } = await run(
      cli,
      [...args, '--address', system.config.temporal.address, '--namespace', system.config.temporal.namespace, '--output', 'json'],
      { maxBuffer: 16 * 1024 * 1024 },
    );
    return stdout;
  };
  /**
   * Everything a reader of the CLI's JSON can see: the text itself, and each payload that is not encrypted
   * (encoding json/plain, data in base64) as its JSON.
   */
  const readable = (output: string) => {
    const seen: string[] = [output];
    const plain = Buffer.from('json/plain').toString('base64');
    const visit = (node: unknown): void => {
      if (Array.isArray(node)) return node.forEach(visit);
      if (!node || typeof node !== 'object') return;
      const { metadata, data } = node as { metadata?: Record<string, string>; data?: unknown };
      if (metadata?.encoding === plain && typeof data === 'string') seen.push(Buffer.from(data, 'base64').toString('utf8'));
      Object.values(node).forEach(visit);
    };
    try {
      visit(JSON.parse(output));
    } catch {
      // One document per line (JSON lines).
      for (const line of output.split('\n').filter((l) => l.trim())) visit(JSON.parse(line));
    }
    return seen.join('\n');
  };
  const codecFlags = () => ['--codec-endpoint', `${system.apiUrl}/codec`, '--codec-auth', `Bearer ${SYSTEM_TOKENS.operator}`];

  it('keeps amount, account and operator reason out of what Temporal stores; the CLI with the codec endpoint shows them', async () => {
    const accountId = `acc-codec-${randomUUID()}`;
    const amount = 734_519;
    const reason = `customer confirmed by phone, ticket ${randomUUID()}`;
    // The gateway's first answer fails: the attempt's failure message is kept in history (the activity's last failure).
    const faults = await fetch(`${system.config.gateway.url}/admin/faults`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ next: ['fail'] }),
    });
    assert.equal(faults.status, 200);
    const paymentId = await pay(accountId, amount);
    const override = await contractFetch(`${system.apiUrl}/payments/${paymentId}/override`, {
      method: 'POST',
      headers: { ...bearer(SYSTEM_TOKENS.operator), 'content-type': 'application/json' },
      body: JSON.stringify({ decision: 'approve', reason }),
    });
    assert.equal(override.status, 202, await override.clone().text());
    const decided = await decision(paymentId);
    assert.deepEqual([decided.decision, decided.reason], ['AUTHORIZED', 'OPERATOR_APPROVED']);

    const workflowId = paymentWorkflowId(paymentId);
    const stored = [
      readable(await temporal('workflow', 'show', '--workflow-id', workflowId)),
      readable(await temporal('workflow', 'describe', '--workflow-id', workflowId)),
      readable(await temporal('workflow', 'list', '--query', `PaymentId = "${paymentId}"`)),
    ].join('\n');
    for (const secret of [accountId, String(amount), '7345.19', reason, merchantId, 'gateway answered 503'])
      assert.ok(!stored.includes(secret), `"${secret}" is readable in Temporal without the codec`);
    assert.ok(stored.includes(paymentId), 'the payment id is kept plain (PaymentId search attribute, workflow id)');
    assert.ok(stored.includes(Buffer.from(ENCRYPTED_ENCODING).toString('base64')), 'the payloads are marked encrypted');

    const decoded = readable(await temporal('workflow', 'show', '--workflow-id', workflowId, ...codecFlags()));
    for (const shown of [accountId, String(amount), reason, merchantId, 'gateway answered 503'])
      assert.ok(decoded.includes(shown), `"${shown}" is shown through the codec endpoint`);
  });

  it('answers an operator only, and a console session from the Web UI’s origin only, with CORS for that origin', async () => {
    const ui = new URL(system.config.temporal.uiUrl).origin;
    const sealed = await new EncryptionCodec([{ id: first.id, key: Buffer.from(first.key, 'base64') }]).encode([
      defaultPayloadConverter.toPayload({ amount: 42 }),
    ]);
    const body = JSON.stringify({
      payloads: sealed.map((p) => ({
        metadata: Object.fromEntries(Object.entries(p.metadata!).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
        data: Buffer.from(p.data!).toString('base64'),
      })),
    });
    const decode = (headers: Record<string, string>, payloads = body) =>
      contractFetch(`${system.apiUrl}/codec/decode`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: payloads,
      });
    const valueOf = async (res: Response) => {
      const { payloads } = (await res.json()) as { payloads: { metadata: Record<string, string>; data: string }[] };
      return JSON.parse(Buffer.from(payloads[0]!.data, 'base64').toString('utf8')) as unknown;
    };

    assert.equal((await decode({})).status, 401);
    assert.equal((await decode(bearer(SYSTEM_TOKENS.client))).status, 403, 'a client token');
    const byToken = await decode(bearer(SYSTEM_TOKENS.operator));
    assert.equal(byToken.status, 200);
    assert.deepEqual(await valueOf(byToken), { amount: 42 });

    // The Web UI calls with the operator's console session cookie (SameSite=Strict: the same site, another port).
    const signIn = await contractFetch(`${system.apiUrl}/console/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: SYSTEM_TOKENS.operator }),
    });
    assert.equal(signIn.status, 201);
    const cookie = signIn.headers.get('set-cookie')!.split(';')[0]!;
    const fromUi = await decode({ cookie, origin: ui, 'x-namespace': system.config.temporal.namespace });
    assert.equal(fromUi.status, 200);
    assert.equal(fromUi.headers.get('access-control-allow-origin'), ui);
    assert.equal(fromUi.headers.get('access-control-allow-credentials'), 'true');
    assert.deepEqual(await valueOf(fromUi), { amount: 42 });
    const fromElsewhere = await decode({ cookie, origin: 'https://evil.example' });
    assert.equal(fromElsewhere.status, 403);
    assert.equal(fromElsewhere.headers.get('access-control-allow-origin'), null);

    const preflight = (origin: string) =>
      contractFetch(`${system.apiUrl}/codec/decode`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type,x-namespace',
        },
      });
    const allowed = await preflight(ui);
    assert.equal(allowed.status, 204);
    assert.match(allowed.headers.get('access-control-allow-headers') ?? '', /x-namespace/);
    assert.equal((await preflight('https://evil.example')).headers.get('access-control-allow-origin'), null);

    // Another namespace, a key the codec does not hold, and a body that is not Payloads: clear errors.
    assert.equal((await decode({ ...bearer(SYSTEM_TOKENS.operator), 'x-namespace': 'someone-else' })).status, 400);
    const unknownKey = body.replace(Buffer.from(first.id).toString('base64'), Buffer.from('k0-retired').toString('base64'));
    const refused = await decode(bearer(SYSTEM_TOKENS.operator), unknownKey);
    assert.equal(refused.status, 422);
    assert.match(((await refused.json()) as { detail: string }).detail, /key "k0-retired"/);
    assert.equal((await decode(bearer(SYSTEM_TOKENS.operator), '{"payloads":[{"data":"!!"}]}')).status, 400);
  });

  it('after a key rotation (new key first, old kept) every waiting saga is decided, each payload under the key it names', async () => {
    const accounts = Array.from({ length: 4 }, () => `acc-rotate-${randomUUID().slice(0, 8)}`);
    const paymentIds: string[] = [];
    for (const accountId of accounts) paymentIds.push(await pay(accountId, 2_500));
    // Each saga has started and waits on its deadline's timer: its input and first steps are sealed with the first key.
    await eventually('every saga waiting', async () => {
      for (const id of paymentIds) {
        const shown = await temporal('workflow', 'show', '--workflow-id', paymentWorkflowId(id)).catch(() => '');
        if (!shown.includes('timerStartedEventAttributes')) return false;
      }
      return true;
    });

    // The deploy of the rotation: the same system, restarted with the new key first and the old one kept.
    assert.equal(await system.stop('SIGINT'), 0);
    await startSystem([second, first]);
    const states: AccountState[] = accounts.map((accountId) => ({
      accountId,
      version: 1,
      asOf: new Date(Date.now() + 60_000).toISOString(),
      status: 'active',
      balance: 918_273_645, // the legacy feed's balance reaches the saga as a signal or a step's result: sealed too
      currency: 'EUR',
    }));
    await publishFeed(createKafka(system.config, 'test'), states);
    for (const id of paymentIds) assert.deepEqual((await decision(id)).decision, 'AUTHORIZED', `payment ${id}`);

    for (const id of paymentIds) {
      const shown = await temporal('workflow', 'show', '--workflow-id', paymentWorkflowId(id));
      assert.ok(!readable(shown).includes('918273645'), `payment ${id}: the account's balance is readable without the codec`);
      const history = JSON.parse(shown) as unknown;
      const keyIds = new Set<string>();
      const visit = (node: unknown): void => {
        if (Array.isArray(node)) return node.forEach(visit);
        if (!node || typeof node !== 'object') return;
        const metadata = (node as { metadata?: Record<string, string> }).metadata;
        const keyId = metadata?.[KEY_ID_METADATA];
        if (keyId) keyIds.add(Buffer.from(keyId, 'base64').toString('utf8'));
        Object.values(node).forEach(visit);
      };
      visit(history);
      assert.deepEqual([...keyIds].sort(), [first.id, second.id].sort(), `payment ${id}: sealed before and after the rotation`);
    }
  });
});
