/**
 * The saga's rule for an arriving account state (workflows/account-state-verdict.ts), and the payment history's
 * replay of recorded arrivals through it (temporal/saga-history.ts), on a history the saga recorded.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { defaultDataConverter, type Payload } from '@temporalio/common';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import type { AccountState } from '../../contracts/payment';
import { EncryptionCodec, newCodecKey } from '../../temporal/codec';
import { judgeArrivals, readSagaHistory, sagaEntries } from '../../temporal/saga-history';
import { isFresh, judgeArrival } from '../../workflows/account-state-verdict';
import { LOCAL_STEPS_HISTORIES_DIR, REVISION_HISTORIES_DIR } from '../workflows/saga-harness';

const state = (overrides: Partial<AccountState> = {}): AccountState => ({
  accountId: 'acc-1',
  version: 2,
  asOf: '2026-01-01T00:00:00.000Z',
  status: 'active',
  balance: 10_000,
  currency: 'EUR',
  ...overrides,
});
const requestedAt = '2026-01-01T00:00:00.000Z';

describe('account-state verdict: the rule the saga applies to each arrival', () => {
  it('keeps the first state of its account and each newer version', () => {
    assert.deepEqual(judgeArrival(state(), 'acc-1', undefined), { kept: true });
    assert.deepEqual(judgeArrival(state({ version: 3 }), 'acc-1', state()), { kept: true });
  });

  it("ignores another account's state, a duplicate version and an older one, saying which", () => {
    assert.deepEqual(judgeArrival(state({ accountId: 'acc-2' }), 'acc-1', undefined), { kept: false, why: 'another-account' });
    assert.deepEqual(judgeArrival(state(), 'acc-1', state()), { kept: false, why: 'duplicate-version' });
    assert.deepEqual(judgeArrival(state({ version: 1 }), 'acc-1', state()), { kept: false, why: 'older-version' });
  });

  it('finds a state fresh when its asOf is at or after the request, not a millisecond before', () => {
    assert.equal(isFresh(state(), requestedAt), true);
    assert.equal(isFresh(state({ asOf: '2025-12-31T23:59:59.999Z' }), requestedAt), false);
    assert.equal(isFresh(undefined, requestedAt), false);
  });
});

describe("a saga's history read for operators (temporal/saga-history.ts)", () => {
  /** The entries of a recorded saga history (test/histories/local-steps). */
  const recorded = async (name: string, dir = LOCAL_STEPS_HISTORIES_DIR) => {
    const history = historyFromJSON(JSON.parse(fs.readFileSync(path.join(dir, `${name}.json`), 'utf8')));
    const input = defaultDataConverter.payloadConverter.fromPayload<{ payment: { accountId: string; requestedAt: string } }>(
      history.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads![0]!,
    );
    return sagaEntries(defaultDataConverter, history, input.payment);
  };

  /** Each account state of a saga's entries: its version, the verdict, and why. */
  const verdicts = (entries: Awaited<ReturnType<typeof recorded>>) =>
    entries.filter((e) => e.kind === 'account-state').map((e) => [e.detail.version, e.detail.verdict, e.detail.why ?? null]);
  /** The states of the recorded saga declined-after-stale-duplicate-out-of-order, as it judged them. */
  const OUT_OF_ORDER_VERDICTS = [
    [5, 'ignored', 'not-fresh'],
    [4, 'ignored', 'older-version'],
    [5, 'ignored', 'duplicate-version'],
    [9, 'ignored', 'another-account'],
    [6, 'used', null],
  ];

  it('replays arrivals: the state held at the decision is used if fresh; earlier, stale, late ones are ignored', () => {
    const stale = state({ version: 1, asOf: '2025-12-31T00:00:00.000Z' });
    const verdicts = judgeArrivals(
      [
        { task: 3, state: stale },
        { task: 5, state: state({ version: 1 }) },
        { task: 7, state: state({ version: 2 }) },
        { task: 7, state: state({ version: 3 }) },
        { task: 9, state: state({ version: 4 }) },
      ],
      { accountId: 'acc-1', requestedAt },
      7,
    );
    assert.deepEqual(verdicts, [
      { verdict: 'ignored', why: 'not-fresh' },
      { verdict: 'ignored', why: 'duplicate-version' },
      { verdict: 'ignored', why: 'superseded' },
      { verdict: 'used' },
      { verdict: 'ignored', why: 'after-decision' },
    ]);
  });

  it('judges each arrival of a recorded saga as the saga did (stale, older, duplicate, another account, then fresh)', async () => {
    const entries = await recorded('declined-after-stale-duplicate-out-of-order');
    assert.deepEqual(verdicts(entries), OUT_OF_ORDER_VERDICTS);
    assert.deepEqual(
      entries.filter((e) => e.kind === 'timer').map((e) => e.detail.state),
      ['started', 'cancelled'],
    );
  });

  it('reads the state a saga of the current revision decided on in its first step, and judges later ones as the saga did', async () => {
    const fresh = (await recorded('authorized-fresh-state-recorded', REVISION_HISTORIES_DIR)).filter(
      (e) => e.kind === 'account-state',
    );
    assert.deepEqual(
      fresh.map((e) => [e.detail.via, e.detail.verdict]),
      [['record', 'used']],
      'the state recorded before the saga, read and reserved on in one step',
    );
    const late = await recorded('declined-after-stale-duplicate-out-of-order', REVISION_HISTORIES_DIR);
    assert.deepEqual(verdicts(late), OUT_OF_ORDER_VERDICTS);
  });

  it('shows each gateway call: the attempt that failed past the budget with its message, then the compensating void', async () => {
    const calls = (await recorded('declined-gateway-down-compensated'))
      .filter((e) => e.kind === 'gateway-call')
      .map((e) => [e.detail.activityType, e.detail.state, e.detail.attempt ?? null, e.detail.failure ?? e.detail.status ?? null]);
    assert.deepEqual(calls, [
      ['authorizeAtGateway', 'scheduled', null, null],
      ['authorizeAtGateway', 'retried', 6, null],
      ['authorizeAtGateway', 'failed', 6, 'gateway answered 503'],
      ['voidAtGateway', 'scheduled', null, null],
      ['voidAtGateway', 'completed', 1, 'voided'],
    ]);
  });

  it('reads a history sealed with a retired key as unavailable, naming the key, instead of throwing', async () => {
    const key = (id: string) => ({ id, key: Buffer.from(newCodecKey(id).key, 'base64') });
    const retired = new EncryptionCodec([key('retired')]);
    const history = historyFromJSON(
      JSON.parse(fs.readFileSync(path.join(LOCAL_STEPS_HISTORIES_DIR, 'authorized-fresh-state-signalled.json'), 'utf8')),
    );
    // Every payload of the history sealed with a key the reader below does not have.
    const seal = async (node: unknown): Promise<void> => {
      if (!node || typeof node !== 'object') return;
      const payloads = (node as { payloads?: Payload[] }).payloads;
      if (Array.isArray(payloads)) (node as { payloads: Payload[] }).payloads = await retired.encode(payloads);
      for (const child of Object.values(node)) await seal(child);
    };
    await seal(history);
    const client = new Client({
      connection: Connection.lazy({ address: '127.0.0.1:1' }),
      dataConverter: { payloadCodecs: [new EncryptionCodec([key('current')])] },
    });
    client.workflow.getHandle = (() => ({ fetchHistory: () => Promise.resolve(history) })) as never;
    try {
      const read = await readSagaHistory(client, 'payment-x', { accountId: 'acc-1', requestedAt }, 500);
      assert.equal(read.status, 'unavailable');
      assert.match(read.status === 'unavailable' ? read.reason : '', /cannot be decoded: .*"retired"/);
    } finally {
      await client.connection.close();
    }
  });

  it('reads no history from a Temporal that does not answer, and says so instead of throwing', async () => {
    // Nothing listens on port 1: every call fails until the deadline.
    const client = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) });
    try {
      const history = await readSagaHistory(client, 'payment-x', { accountId: 'acc-1', requestedAt }, 500);
      assert.equal(history.status, 'unavailable');
      assert.match(history.status === 'unavailable' ? history.reason : '', /^Temporal did not answer: /);
    } finally {
      await client.connection.close();
    }
  });
});
