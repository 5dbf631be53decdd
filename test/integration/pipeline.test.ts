/**
 * From a request to a decision, effectively once: the REST api, the outbox relay, the bridge and
 * the saga on the real Kafka, Temporal dev server and PostgreSQL.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { applyIdempotencyKeyRetention } from '../../api/idempotency';
import { bridgeGroupIds } from '../../bridge';
import { consumerLag } from '../../kafka/lag';
import { deadLetterTopic, TOPICS } from '../../contracts/topics';
import { paymentWorkflowId, statusQuery } from '../../workflows/shared';
import { eventually } from '../eventually';
import { pipelineForSuite, TOKENS } from './pipeline-harness';
import { Validator } from '@seriousme/openapi-schema-validator';
import { openApiDocument } from '../../api/openapi';
import { contractFetch } from '../api-contract';

describe('pipeline: REST and Kafka to a decision (real engines)', function () {
  this.timeout(60_000);
  const h = pipelineForSuite();
  const auth = (token: string) => ({ authorization: `Bearer ${token}` });
  afterEach(() => {
    h.bridgeHooks = {};
    h.apiHooks = {};
  });

  const recorded = (accountId: string, version = 1) =>
    eventually(`account ${accountId} v${version} recorded`, async () => {
      const { rows } = await h.pool.query('select version from account_states where account_id = $1', [accountId]);
      return rows[0]?.version >= version;
    });
  const waiting = (paymentId: string) =>
    eventually(
      `payment ${paymentId} waiting`,
      async () => (await h.pool.query('select 1 from payment_waits where payment_id = $1', [paymentId])).rowCount === 1,
    );

  describe('decisions', () => {
    it('decides a REST payment with fresh state, and the decided event is on Kafka once', async () => {
      const accountId = h.accountId();
      await h.publishAccountStates(h.accountState(accountId));
      await recorded(accountId);
      const paymentId = await h.submit({ accountId, amount: 2_000 });
      const decided = await h.decision(paymentId);
      assert.deepEqual([decided.decision, decided.reason, decided.amount], ['AUTHORIZED', 'APPROVED', 2_000]);
      assert.equal(await h.decidedCount(paymentId), 1);
      // The read model folds the decided event on its own consumer: it may come a moment after this test's.
      const view = await eventually('the decision in the read model', async () => {
        const got = (await (await h.get(`/payments/${paymentId}`)).json()) as { status: string; timeline: { status: string }[] };
        return got.status !== 'RECEIVED' && got;
      });
      assert.equal(view.status, 'AUTHORIZED');
      assert.deepEqual(
        view.timeline.map((t) => t.status),
        ['RECEIVED', 'AUTHORIZED'],
      );
    });

    it('waits for state that arrives late, then decides', async () => {
      const accountId = h.accountId();
      const paymentId = await h.submit({ accountId });
      await waiting(paymentId);
      const view = (await (await h.get(`/payments/${paymentId}`)).json()) as { status: string; decision: string | null };
      assert.deepEqual([view.status, view.decision], ['RECEIVED', null]);
      assert.equal(
        (await h.client.workflow.getHandle(paymentWorkflowId(paymentId)).query(statusQuery)).state,
        'AWAITING_ACCOUNT_STATE',
      );
      await h.publishAccountStates(h.accountState(accountId));
      assert.equal((await h.decision(paymentId)).decision, 'AUTHORIZED');
    });

    it('makes one workflow and one decision of a request published twice to Kafka and posted twice over REST', async () => {
      const accountId = h.accountId();
      await h.publishAccountStates(h.accountState(accountId));
      await recorded(accountId);
      const payment = h.paymentRequest(accountId, { amount: 500 });
      await h.publishRequest(payment);
      await h.publishRequest(payment);
      await h.decision(payment.paymentId);
      assert.equal(await h.decidedCount(payment.paymentId), 1);
      const runs = [];
      for await (const wf of h.client.workflow.list({ query: `WorkflowId = '${paymentWorkflowId(payment.paymentId)}'` }))
        runs.push(wf.runId);
      assert.equal(runs.length, 1);

      const key = randomUUID();
      const first = await h.submit({ accountId }, key);
      const second = await h.submit({ accountId }, key);
      assert.equal(second, first);
      await h.decision(first);
      assert.equal(await h.decidedCount(first), 1);
      const { rowCount } = await h.pool.query('select 1 from gateway.authorizations where payment_id = $1', [first]);
      assert.equal(rowCount, 1);
    });

    it('starts no second saga for a request replayed after Temporal purged its closed workflow', async () => {
      const accountId = h.accountId();
      await h.publishAccountStates(h.accountState(accountId));
      await recorded(accountId);
      const payment = h.paymentRequest(accountId, { amount: 400 });
      await h.publishRequest(payment);
      await h.decision(payment.paymentId);
      // What the namespace's retention does to a closed workflow, a day later by default.
      const workflowId = paymentWorkflowId(payment.paymentId);
      await h.client.workflow.getHandle(workflowId).result();
      await h.client.workflowService.deleteWorkflowExecution({
        namespace: h.config.temporal.namespace,
        workflowExecution: { workflowId },
      });
      // The dev server deletes in the background, within seconds.
      await eventually(
        'purged',
        async () => {
          try {
            await h.client.workflow.getHandle(workflowId).describe();
            return false;
          } catch {
            return true;
          }
        },
        60_000,
      );
      const handled = h.bridge.requests.counts.handled;
      await h.publishRequest(payment); // a replay of the topic
      await eventually('replayed request handled', async () => h.bridge.requests.counts.handled > handled);
      await assert.rejects(h.client.workflow.getHandle(workflowId).describe(), 'no new saga was started');
      assert.equal(await h.decidedCount(payment.paymentId), 1);
    });
  });

  describe('Idempotency-Key', () => {
    const body = (accountId: string) => ({ accountId, merchantId: 'm-1', amount: 1_000, currency: 'EUR' });
    const post = (b: unknown, key?: string, token = TOKENS.client) =>
      h.post('/payments', b, { ...auth(token), ...(key ? { 'idempotency-key': key } : {}) });

    it('is required (400)', async () => {
      const res = await post(body(h.accountId()));
      assert.equal(res.status, 400);
      assert.match(((await res.json()) as { title: string }).title, /Idempotency-Key/);
    });

    it('replays the first response for the same key and body, marked as a replay', async () => {
      const key = randomUUID();
      const b = body(h.accountId());
      const first = await post(b, key);
      const again = await post(b, key);
      assert.equal(first.status, 202);
      assert.equal(again.status, 202);
      assert.equal(first.headers.get('idempotent-replayed'), null);
      assert.equal(again.headers.get('idempotent-replayed'), 'true');
      assert.deepEqual(await again.json(), await first.json());
    });

    it('refuses the same key with a different body (422)', async () => {
      const key = randomUUID();
      const b = body(h.accountId());
      assert.equal((await post(b, key)).status, 202);
      assert.equal((await post({ ...b, amount: 1_001 }, key)).status, 422);
    });

    it('answers 409 while the first request with the key is in flight', async () => {
      const key = randomUUID();
      const b = body(h.accountId());
      let release!: () => void;
      const claimed = new Promise<void>((resolve) => {
        h.apiHooks.afterKeyClaimed = () => {
          resolve();
          return new Promise<void>((r) => (release = r));
        };
      });
      const first = post(b, key);
      await claimed;
      h.apiHooks = {};
      assert.equal((await post(b, key)).status, 409);
      release();
      assert.equal((await first).status, 202);
      assert.equal((await post(b, key)).headers.get('idempotent-replayed'), 'true');
    });

    it('scopes keys to the caller', async () => {
      const key = randomUUID();
      const b = body(h.accountId());
      const mine = (await (await post(b, key, TOKENS.client)).json()) as { paymentId: string };
      const theirs = (await (await post(b, key, TOKENS.otherClient)).json()) as { paymentId: string };
      assert.notEqual(mine.paymentId, theirs.paymentId);
      assert.equal(
        (await h.get(`/payments/${theirs.paymentId}`, TOKENS.client)).status,
        404,
        'a client sees only its own payments',
      );
    });

    it('purges keys after their retention and keeps younger ones', async () => {
      const old = randomUUID();
      const young = randomUUID();
      await h.pool.query(
        `insert into idempotency_keys (caller, idempotency_key, request_hash, state, locked_until, created_at)
         values ('shop-1', $1, 'h', 'done', now(), now() - interval '25 hours'), ('shop-1', $2, 'h', 'done', now(), now() - interval '23 hours')`,
        [old, young],
      );
      await applyIdempotencyKeyRetention(h.pool, 86_400_000);
      const { rows } = await h.pool.query('select idempotency_key from idempotency_keys where idempotency_key = any($1)', [
        [old, young],
      ]);
      assert.deepEqual(
        rows.map((r) => r.idempotency_key),
        [young],
      );
    });
  });

  describe('bad bodies get 400 with a clear message', () => {
    const cases: [string, unknown, RegExp][] = [
      ['wrong types', { accountId: 42, merchantId: 'm', amount: '10', currency: 'EUR' }, /accountId|amount/],
      ['a negative amount', { accountId: 'a', merchantId: 'm', amount: -5, currency: 'EUR' }, /greater than zero/],
      ['a fractional amount', { accountId: 'a', merchantId: 'm', amount: 10.5, currency: 'EUR' }, /whole number of minor units/],
      ['an unknown currency', { accountId: 'a', merchantId: 'm', amount: 10, currency: 'XYZ' }, /ISO 4217/],
      [
        'unknown fields',
        { accountId: 'a', merchantId: 'm', amount: 10, currency: 'EUR', cardNumber: '4111' },
        /unknown field\(s\): cardNumber/,
      ],
      ['no JSON at all', '{"accountId": ', /not valid JSON/],
    ];
    for (const [name, body, message] of cases) {
      it(`refuses ${name}`, async () => {
        const res = await h.post('/payments', body, { ...auth(TOKENS.client), 'idempotency-key': randomUUID() });
        assert.equal(res.status, 400);
        assert.match(res.headers.get('content-type') ?? '', /application\/problem\+json/);
        assert.match(JSON.stringify(await res.json()), message);
      });
    }

    it('refuses a huge payload with 413 before reading it', async () => {
      const res = await h.post(
        '/payments',
        { accountId: 'a', merchantId: 'm', amount: 1, currency: 'EUR', pad: 'x'.repeat(100_000) },
        {
          ...auth(TOKENS.client),
          'idempotency-key': randomUUID(),
        },
      );
      assert.equal(res.status, 413);
      assert.match(((await res.json()) as { title: string }).title, /too large/);
    });
  });

  describe('operator override over REST', () => {
    const override = (paymentId: string, headers: Record<string, string>) =>
      h.post(`/payments/${paymentId}/override`, { decision: 'approve', reason: 'customer verified by phone' }, headers);

    it('needs a credential (401), the operator role (403), a known payment (404)', async () => {
      const paymentId = await h.submit({ accountId: h.accountId() });
      assert.equal((await override(paymentId, {})).status, 401);
      assert.equal((await override(paymentId, auth('not-a-token-of-this-deployment'))).status, 401);
      assert.equal((await override(paymentId, auth(TOKENS.client))).status, 403);
      assert.equal((await override('no-such-payment', auth(TOKENS.operator))).status, 404);
      const { rowCount } = await h.pool.query('select 1 from operator_audit where payment_id = $1', [paymentId]);
      assert.equal(rowCount, 0, 'nothing reached the saga');
    });

    it('approves a waiting payment, audited, and refuses once it is decided (409)', async () => {
      const paymentId = await h.submit({ accountId: h.accountId() });
      await waiting(paymentId);
      const res = await override(paymentId, auth(TOKENS.operator));
      assert.equal(res.status, 202);
      const decided = await h.decision(paymentId);
      assert.deepEqual([decided.decision, decided.reason, decided.decidedBy], ['AUTHORIZED', 'OPERATOR_APPROVED', 'operator']);
      const audit = await eventually('audit applied', async () => {
        const { rows } = await h.pool.query('select operator, outcome from operator_audit where payment_id = $1', [paymentId]);
        return rows[0]?.outcome === 'applied' && rows;
      });
      assert.deepEqual(audit, [{ operator: 'alice', outcome: 'applied' }]);
      await eventually(
        'read model decided',
        async () => ((await (await h.get(`/payments/${paymentId}`)).json()) as { decision: string }).decision,
      );
      assert.equal((await override(paymentId, auth(TOKENS.operator))).status, 409);
    });
  });

  describe('no lost wake-up (DESIGN.md §5), each interleaving', () => {
    it('state recorded before the payment exists: the payment reads it when it starts waiting', async () => {
      const accountId = h.accountId();
      await h.publishAccountStates(h.accountState(accountId));
      await recorded(accountId);
      const paymentId = await h.submit({ accountId });
      assert.equal((await h.decision(paymentId)).decision, 'AUTHORIZED');
    });

    it('the payment starts waiting while the bridge holds the account between recording and listing waiters', async () => {
      const accountId = h.accountId();
      let resume!: () => void;
      const paused = new Promise<void>((inside) => {
        h.bridgeHooks.afterRecord = () => {
          inside();
          return new Promise<void>((r) => (resume = r));
        };
      });
      await h.publishAccountStates(h.accountState(accountId));
      await paused; // the bridge recorded the state and holds the account lock
      try {
        const payment = h.paymentRequest(accountId, { amount: 100 });
        await h.publishRequest(payment);
        // The payment's beginWaiting now blocks on the same lock.
        await eventually('beginWaiting blocked on the account lock', async () => {
          const { rows } = await h.pool.query(
            `select count(*)::int as n from pg_locks where locktype = 'advisory' and not granted`,
          );
          return rows[0].n > 0;
        });
        resume();
        assert.equal((await h.decision(payment.paymentId)).decision, 'AUTHORIZED');
      } finally {
        resume();
      }
    });

    it('the payment is already waiting when the update arrives: the bridge signals it', async () => {
      const accountId = h.accountId();
      const paymentId = await h.submit({ accountId });
      await waiting(paymentId);
      const signalled = new Promise<string[]>((resolve) => {
        h.bridgeHooks.beforeSignal = async (_account, ids) => resolve(ids);
      });
      await h.publishAccountStates(h.accountState(accountId));
      assert.deepEqual(await signalled, [paymentId]);
      assert.equal((await h.decision(paymentId)).decision, 'AUTHORIZED');
    });

    it('the payment starts after the bridge committed but before it signals: it reads the state, the late signal is harmless', async () => {
      const accountId = h.accountId();
      let resume!: () => void;
      const committed = new Promise<string[]>((resolve) => {
        h.bridgeHooks.beforeSignal = (_account, ids) => {
          resolve(ids);
          return new Promise<void>((r) => (resume = r));
        };
      });
      await h.publishAccountStates(h.accountState(accountId));
      try {
        assert.deepEqual(await committed, [], 'no payment was waiting when the bridge listed them');
        const paymentId = await h.submit({ accountId });
        assert.equal((await h.decision(paymentId)).decision, 'AUTHORIZED');
      } finally {
        resume();
      }
    });
  });

  describe('dead letters', () => {
    it('dead-letters a poison record with its reason, and the next record on its partition is still processed', async () => {
      const accountId = h.accountId();
      await h.publishAccountStates(h.accountState(accountId));
      await recorded(accountId);
      const admin = h.kafka.admin();
      await admin.connect();
      const dlt = deadLetterTopic(TOPICS.paymentRequested);
      const before = await admin.fetchTopicOffsets(dlt);
      await admin.disconnect();

      const good = h.paymentRequest(accountId, { amount: 100 });
      await h.publishRequest(good, '{"type": "payment.authorization.requested", "version": 1, "id": "x"'); // cut-off JSON
      await h.publishRequest(
        good,
        JSON.stringify({
          type: 'payment.authorization.requested',
          version: 7,
          id: randomUUID(),
          occurredAt: good.requestedAt,
          data: good,
        }),
      );
      await h.publishRequest({ ...good, amount: -1 });
      await h.publishRequest(good);
      assert.equal((await h.decision(good.paymentId)).decision, 'AUTHORIZED');

      // A short fetch wait: the disconnect waits out the fetch in flight (5 s by KafkaJS's default).
      const reader = h.kafka.consumer({ groupId: `dlt-reader-${randomUUID()}`, maxWaitTimeInMs: 100 });
      const letters: { reason: string; value: string; offset: string }[] = [];
      await reader.connect();
      await reader.subscribe({ topic: dlt, fromBeginning: true });
      const partitionStart = new Map(before.map((p) => [p.partition, BigInt(p.offset)]));
      await reader.run({
        eachMessage: async ({ partition, message }) => {
          if (BigInt(message.offset) < (partitionStart.get(partition) ?? 0n)) return;
          if (message.key?.toString() !== accountId) return;
          // The read model consumes the topic too and dead-letters the same records under its own group.
          if (message.headers?.['dlt-consumer-group']?.toString() !== bridgeGroupIds(h.config).requests) return;
          letters.push({
            reason: message.headers?.['dlt-reason']?.toString() ?? '',
            value: message.value?.toString() ?? '',
            offset: message.headers?.['dlt-original-offset']?.toString() ?? '',
          });
        },
      });
      await eventually('three dead letters', async () => letters.length >= 3);
      await reader.disconnect();
      assert.match(letters[0]!.reason, /not JSON/);
      assert.equal(
        letters[0]!.value,
        '{"type": "payment.authorization.requested", "version": 1, "id": "x"',
        'the original bytes',
      );
      assert.match(letters[1]!.reason, /unknown version 7/);
      assert.match(letters[2]!.reason, /amount: must be greater than zero/);
      assert.ok(letters.every((l) => /^\d+$/.test(l.offset)));
    });
  });

  describe('crash between the Temporal call and the offset commit', () => {
    it('restarts without a duplicate effect', async function () {
      this.timeout(120_000);
      const accountId = h.accountId();
      // Fresh for a payment requested in the next minutes: the crashing process takes a while to start.
      await h.publishAccountStates(h.accountState(accountId, { asOf: new Date(Date.now() + 300_000).toISOString() }));
      await recorded(accountId);
      await h.bridge.stop();

      // A bridge process that kills itself (SIGKILL) right after Temporal accepted the start.
      const crashing = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, '../fixtures/bridge-crash.ts')], {
        cwd: path.resolve(__dirname, '../..'),
        env: h.env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      crashing.stdout.on('data', (c: Buffer) => (output += c.toString()));
      crashing.stderr.on('data', (c: Buffer) => (output += c.toString()));
      await eventually('crash bridge consuming', async () => output.includes('consuming'), 60_000);

      const payment = h.paymentRequest(accountId, { amount: 300 });
      await h.publishRequest(payment);
      const signal = await new Promise<NodeJS.Signals | null>((r) => crashing.once('exit', (_code, s) => r(s)));
      assert.equal(signal, 'SIGKILL', output);

      const admin = h.kafka.admin();
      await admin.connect();
      const lag = await consumerLag(admin, bridgeGroupIds(h.config).requests, TOPICS.paymentRequested);
      assert.ok(
        lag.some((p) => p.lag > 0),
        'the started request was not committed',
      );

      await h.startBridge(); // redelivers the request once the dead member's session ends: the start is a no-op
      const decided = await h.decision(payment.paymentId, 60_000);
      assert.equal(decided.decision, 'AUTHORIZED');
      assert.equal(await h.decidedCount(payment.paymentId), 1);
      const runs = [];
      for await (const wf of h.client.workflow.list({ query: `WorkflowId = '${paymentWorkflowId(payment.paymentId)}'` }))
        runs.push(wf.runId);
      assert.equal(runs.length, 1);
      const { rowCount } = await h.pool.query('select 1 from gateway.authorizations where payment_id = $1', [payment.paymentId]);
      assert.equal(rowCount, 1);
      await eventually('lag back to zero', async () =>
        (await consumerLag(admin, bridgeGroupIds(h.config).requests, TOPICS.paymentRequested)).every((p) => p.lag === 0),
      );
      await admin.disconnect();
    });
  });

  describe('documents and health', () => {
    it('serves a valid OpenAPI 3.1 document that a third-party validator loads, and readiness', async () => {
      const served = (await (await contractFetch(`${h.apiUrl}/openapi.json`)).json()) as { paths: Record<string, unknown> };
      assert.deepEqual(served, JSON.parse(JSON.stringify(openApiDocument())));
      const validator = new Validator();
      // A copy: resolveRefs replaces the references in place.
      const result = await validator.validate(structuredClone(served));
      assert.deepEqual(result.errors, undefined);
      assert.equal(result.valid, true);
      assert.equal(validator.version, '3.1');
      assert.doesNotThrow(() => validator.resolveRefs());
      assert.deepEqual(Object.keys(served.paths).sort(), [
        '/codec/decode',
        '/codec/encode',
        '/console/session',
        '/dead-letters/kafka',
        '/dead-letters/kafka/{topic}/replay',
        '/health/live',
        '/health/ready',
        '/ledger/accounts/{ledgerAccount}',
        '/ledger/trial-balance',
        '/merchants/{merchantId}/totals',
        '/metrics',
        '/openapi.json',
        '/payment-events',
        '/payments',
        '/payments/{paymentId}',
        '/payments/{paymentId}/events',
        '/payments/{paymentId}/history',
        '/payments/{paymentId}/override',
        '/review-queue',
        '/webhooks/dead-letters',
        '/webhooks/dead-letters/{id}/redeliver',
      ]);
      assert.equal((await contractFetch(`${h.apiUrl}/health/ready`)).status, 200);
    });

    it('answers a method a path does not declare with 405 and Allow, an unknown path with 404, a body not JSON with 415', async () => {
      const cases: [string, string, string][] = [
        ['DELETE', '/payments', 'GET, POST, HEAD'],
        ['PUT', '/payments/some-payment', 'GET, HEAD'],
        ['GET', '/payments/some-payment/override', 'POST'],
        ['POST', '/ledger/trial-balance', 'GET, HEAD'],
        ['PATCH', '/openapi.json', 'GET, HEAD'],
      ];
      for (const [method, path, allow] of cases) {
        const res = await contractFetch(h.apiUrl + path, { method, headers: { authorization: `Bearer ${TOKENS.operator}` } });
        assert.equal(res.status, 405, `${method} ${path}`);
        assert.equal(res.headers.get('allow'), allow, `${method} ${path}`);
        assert.equal(res.headers.get('content-type'), 'application/problem+json; charset=utf-8');
      }
      assert.equal((await contractFetch(`${h.apiUrl}/nowhere`)).status, 404);
      const text = await h.post('/payments', 'accountId=a', {
        authorization: `Bearer ${TOKENS.client}`,
        'idempotency-key': randomUUID(),
        'content-type': 'text/plain',
      });
      assert.equal(text.status, 415);
    });
  });
});
