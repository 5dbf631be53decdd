import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../config';
import { DemoError, demoTokens } from '../../tools/demo/api';
import { accountStateSchema, paymentRequestSchema } from '../../contracts/payment';
import { createPaymentBody } from '../../api/schemas';
import { decodeRecord, PoisonRecordError } from '../../kafka/consumer';
import { EVENT_TYPES } from '../../contracts/events';
import { formatLive, formatSummary, latencyStats, paymentIdQuery, webUiUrl, type DemoSummary } from '../../tools/demo/report';
import {
  feedStats,
  formatMs,
  legacyFeed,
  planDemo,
  SCENARIO_IDS,
  seedSnapshots,
  type DemoOptions,
  type DemoPlan,
} from '../../tools/demo/scenarios';

const options: DemoOptions = {
  runId: 'a1b2c3d4',
  payments: 30,
  ratePerSecond: 2,
  accountStateDeadlineMs: 10_000,
  timeoutPolicy: 'review',
};

const accountsOf = (plan: DemoPlan) => [
  ...plan.seededAccounts,
  plan.accounts.late,
  ...plan.accounts.feed,
  plan.accounts.lowFunds,
  plan.accounts.noState,
];

describe('demo plan', () => {
  it('is the same for the same run id, and shares no id with another run', () => {
    assert.deepEqual(planDemo(options), planDemo(options));
    const a = planDemo(options);
    const b = planDemo({ ...options, runId: 'e5f6a7b8' });
    const idsOf = (p: DemoPlan) => [...accountsOf(p), ...p.merchants, ...p.payments.map((x) => x.key)];
    for (const id of idsOf(a)) assert.ok(id.startsWith('demo-a1b2c3d4-'), id);
    assert.equal(new Set(idsOf(a)).size, idsOf(a).length, 'every account, merchant and key is distinct');
    assert.ok(!idsOf(b).some((id) => idsOf(a).includes(id)));
    assert.notDeepEqual(
      a.payments.map((p) => p.amount),
      b.payments.map((p) => p.amount),
      'the stream differs between runs',
    );
  });

  it('plans every scenario, each payment valid for the api or the Kafka contract', () => {
    const plan = planDemo(options);
    assert.deepEqual(
      plan.scenarios.map((s) => s.id),
      [...SCENARIO_IDS],
    );
    for (const id of SCENARIO_IDS.filter((s) => s !== 'poison-record'))
      assert.ok(
        plan.payments.some((p) => p.scenario === id),
        `${id} has payments`,
      );
    for (const p of plan.payments) {
      const body = { accountId: p.accountId, merchantId: p.merchantId, amount: p.amount, currency: p.currency };
      if (p.via === 'rest') assert.ok(createPaymentBody.safeParse(body).success, p.key);
      else paymentRequestSchema.parse({ paymentId: p.key, ...body, requestedAt: new Date().toISOString() });
    }
    assert.deepEqual(
      plan.payments.filter((p) => p.via === 'kafka').map((p) => p.scenario),
      ['upstream-kafka', 'published-twice'],
    );
    // Latency figures time REST payments whose account state is there on arrival, not the waits by design.
    assert.deepEqual(
      [...new Set(plan.payments.filter((p) => p.timed).map((p) => p.scenario))],
      ['fresh-state', 'insufficient-funds', 'background-stream'],
    );
  });

  it('expects what the saga rules decide', () => {
    const plan = planDemo(options);
    const only = (scenario: string) => plan.payments.filter((p) => p.scenario === scenario);
    assert.deepEqual(only('insufficient-funds')[0]!.expected, { decision: 'DECLINED', reason: 'INSUFFICIENT_FUNDS' });
    assert.ok(only('insufficient-funds')[0]!.amount > plan.balances.lowFunds);
    assert.equal(only('insufficient-funds')[0]!.accountId, plan.accounts.lowFunds);
    assert.equal(only('timeout')[0]!.accountId, plan.accounts.noState);
    assert.equal(only('late-state')[0]!.accountId, plan.accounts.late);
    for (const p of plan.payments.filter((x) => !['insufficient-funds', 'timeout'].includes(x.scenario)))
      assert.deepEqual(p.expected, { decision: 'AUTHORIZED', reason: 'APPROVED' }, p.key);
    // The seeded accounts hold more than everything the run spends on them, so nothing there is declined.
    for (const account of plan.seededAccounts) {
      const spent = plan.payments.filter((p) => p.accountId === account).reduce((sum, p) => sum + p.amount, 0);
      assert.ok(spent < plan.balances.seeded, `${account} spends ${spent}`);
    }
    // No snapshot ever reaches the timeout scenario's account, and the late one's comes within its deadline.
    const seeded = seedSnapshots(plan, new Date()).map((s) => s.accountId);
    assert.ok(!seeded.includes(plan.accounts.noState) && !seeded.includes(plan.accounts.late));
    assert.ok(plan.lateStateDelayMs > 0 && plan.lateStateDelayMs < plan.accountStateDeadlineMs / 2);
  });

  it('expects review and approval, or the timeout decline, as the policy says', () => {
    const timeout = (policy: DemoOptions['timeoutPolicy']) =>
      planDemo({ ...options, timeoutPolicy: policy }).payments.find((p) => p.scenario === 'timeout')!.expected;
    assert.deepEqual(timeout('review'), { decision: 'AUTHORIZED', reason: 'OPERATOR_APPROVED' });
    assert.deepEqual(timeout('decline'), { decision: 'DECLINED', reason: 'ACCOUNT_STATE_TIMEOUT' });
    const expectation = planDemo({ ...options, timeoutPolicy: 'decline' }).scenarios.find((s) => s.id === 'timeout')!.expectation;
    assert.match(expectation, /ACCOUNT_STATE_TIMEOUT .*policy decline.*ACCOUNT_STATE_TIMEOUT_POLICY=review/);
  });

  it('spreads the background stream at the rate asked, in whole minor units', () => {
    const plan = planDemo({ ...options, payments: 12, ratePerSecond: 4 });
    const stream = plan.payments.filter((p) => p.scenario === 'background-stream');
    assert.equal(stream.length, 12);
    assert.deepEqual(
      stream.map((p) => p.atMs),
      Array.from({ length: 12 }, (_, i) => i * 250),
    );
    assert.ok(stream.every((p) => Number.isInteger(p.amount) && p.amount >= 100 && p.amount <= 25_000));
    assert.ok(stream.every((p) => plan.seededAccounts.includes(p.accountId) && plan.merchants.includes(p.merchantId)));
    assert.equal(planDemo({ ...options, payments: 0 }).payments.filter((p) => p.scenario === 'background-stream').length, 0);
    assert.throws(() => planDemo({ ...options, ratePerSecond: 0 }), /rate/);
    assert.throws(() => planDemo({ ...options, runId: 'no spaces' }), /run id/);
  });

  it('seeds snapshots that stay fresh past the last payment of the run', () => {
    const plan = planDemo({ ...options, payments: 10_000, ratePerSecond: 1 });
    const now = new Date('2026-03-01T12:00:00Z');
    const seeds = seedSnapshots(plan, now);
    const lastSend = Math.max(...plan.payments.map((p) => p.atMs));
    for (const s of seeds) {
      accountStateSchema.parse(s);
      assert.ok(Date.parse(s.asOf) > now.getTime() + lastSend + plan.accountStateDeadlineMs);
    }
  });

  it('makes the poison record something no consumer can decode', () => {
    const { poison } = planDemo(options);
    assert.throws(() => decodeRecord(EVENT_TYPES.paymentRequested, Buffer.from(poison.value)), PoisonRecordError);
  });
});

describe('demo legacy feed', () => {
  const requested = { earliest: new Date('2026-03-01T12:00:00.000Z'), latest: new Date('2026-03-01T12:00:00.400Z') };

  it('always holds duplicates, out-of-order and stale snapshots, and ends fresh for every payment', () => {
    for (let run = 0; run < 50; run++) {
      const plan = planDemo({ ...options, runId: `run-${run}` });
      const feed = legacyFeed(plan, requested);
      assert.ok(feed.duplicates > 0 && feed.outOfOrder > 0 && feed.stale > 0, JSON.stringify(feed));
      const { records, ...stats } = feed;
      assert.deepEqual(feedStats(records, requested.earliest), stats);
      const paymentsOf = (account: string) => plan.payments.filter((p) => p.accountId === account);
      for (const account of plan.accounts.feed) {
        const records = feed.records.filter((r) => r.accountId === account);
        const newest = records.reduce((a, b) => (b.version > a.version ? b : a));
        assert.ok(Date.parse(newest.asOf) >= requested.latest.getTime(), 'the newest version is fresh for every payment');
        const needed = paymentsOf(account).reduce((sum, p) => sum + p.amount, 0);
        for (const r of records) {
          accountStateSchema.parse(r);
          const stale = Date.parse(r.asOf) < requested.earliest.getTime();
          // A decision on a stale snapshot would decline; on any fresh one it authorizes every payment.
          if (stale) assert.ok(paymentsOf(account).every((p) => p.amount > r.balance));
          else assert.ok(r.balance >= needed, `fresh balance ${r.balance} covers ${needed}`);
        }
      }
    }
  });

  it('is reproducible from the run id', () => {
    const plan = planDemo(options);
    assert.deepEqual(legacyFeed(plan, requested), legacyFeed(plan, requested));
  });

  it('counts duplicates and out-of-order records as published', () => {
    const s = (version: number, asOf = '2026-03-01T12:00:05Z') => ({
      accountId: 'a',
      version,
      asOf,
      status: 'active' as const,
      balance: 1,
      currency: 'EUR',
    });
    assert.deepEqual(
      feedStats([s(1, '2026-03-01T11:59:00Z'), s(3), s(2), s(3), s(1, '2026-03-01T11:59:00Z')], requested.earliest),
      {
        duplicates: 2,
        outOfOrder: 2,
        stale: 1,
      },
    );
  });
});

describe('demo report', () => {
  it('computes nearest-rank median and p90', () => {
    assert.equal(latencyStats([]), null);
    assert.deepEqual(latencyStats([5]), { payments: 1, medianMs: 5, p90Ms: 5 });
    assert.deepEqual(latencyStats([10, 1, 9, 2, 8, 3, 7, 4, 6, 5]), { payments: 10, medianMs: 5, p90Ms: 9 });
  });

  it('links to the Web UI with an encoded visibility query', () => {
    assert.equal(paymentIdQuery(['p1']), 'PaymentId = "p1"');
    assert.equal(paymentIdQuery(['p1', 'p2']), 'PaymentId IN ("p1", "p2")');
    const url = new URL(webUiUrl('http://127.0.0.1:8233/', 'default', 'PaymentStatus = "PENDING_REVIEW"'));
    assert.equal(url.pathname, '/namespaces/default/workflows');
    assert.equal(url.searchParams.get('query'), 'PaymentStatus = "PENDING_REVIEW"');
  });

  it('prints the live line and the summary with every scenario and its outcome', () => {
    const byStatus = { UNSENT: 2, RECEIVED: 3, AUTHORIZED: 10, DECLINED: 1 };
    assert.equal(
      formatLive({
        elapsedMs: 75_400,
        planned: 16,
        byStatus,
        waiting: { accountState: 2, review: 1 },
        latency: { payments: 9, medianMs: 412, p90Ms: 1_250 },
      }),
      'demo 01:15  sent 14/16 · AUTHORIZED 10 · DECLINED 1 · undecided 3 (waiting for account state 2, in review 1)' +
        ' · decision latency median 412 ms, p90 1.3 s',
    );
    const summary: DemoSummary = {
      runId: 'a1b2c3d4',
      startedAt: '2026-03-01T12:00:00.000Z',
      durationMs: 41_200,
      aborted: false,
      settings: { accountStateDeadlineMs: 10_000, timeoutPolicy: 'decline' },
      payments: {
        planned: 16,
        sent: 16,
        byStatus: { ...byStatus, UNSENT: 0 },
        byReason: { APPROVED: 10, INSUFFICIENT_FUNDS: 1 },
      },
      latency: { payments: 9, medianMs: 412, p90Ms: 1_250 },
      decidedEvents: 11,
      deadLettered: { groups: ['paysaga-bridge-payment-requests'], reason: 'value is not JSON' },
      scenarios: [
        {
          id: 'fresh-state',
          title: 'fresh state',
          expectation: '',
          met: true,
          outcome: '1 × AUTHORIZED APPROVED',
          paymentIds: ['p'],
          webUiUrl: 'http://ui/x',
        },
        {
          id: 'poison-record',
          title: 'poison record',
          expectation: '',
          met: false,
          outcome: 'not dead-lettered',
          paymentIds: [],
        },
      ],
      webUi: { all: 'http://ui/all', inReview: 'http://ui/review' },
      ok: false,
    };
    const text = formatSummary(summary);
    assert.match(text, /1\/2 scenarios met in 41\.2 s/);
    assert.match(text, /ACCOUNT_STATE_DEADLINE=10s, ACCOUNT_STATE_TIMEOUT_POLICY=decline/);
    assert.match(text, /ok {3}fresh state +1 × AUTHORIZED APPROVED\n +http:\/\/ui\/x/);
    assert.match(text, /FAIL poison record +not dead-lettered/);
    assert.match(text, /median 412 ms, p90 1\.3 s/);
    assert.match(text, /http:\/\/ui\/all/);
    assert.match(text, /policy is decline/);
  });

  it('writes durations as the configuration does', () => {
    assert.deepEqual([250, 10_000, 1_500, 60_000, 90_000].map(formatMs), ['250ms', '10s', '1.5s', '1m', '1m30s']);
  });
});

describe('demo tokens', () => {
  const dirs: string[] = [];
  const dir = () => {
    dirs.push(fs.mkdtempSync(path.join(os.tmpdir(), 'paysaga-demo-')));
    return dirs.at(-1)!;
  };
  after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  it('takes a client and an operator token from API_TOKENS', () => {
    const tokens = [
      { token: 'c'.repeat(24), subject: 'shop', roles: ['client'] },
      { token: 'o'.repeat(24), subject: 'ops', roles: ['operator'] },
    ];
    const config = loadConfig({ API_TOKENS: JSON.stringify(tokens), PAYSAGA_STATE_DIR: dir() });
    assert.deepEqual(demoTokens(config), { client: 'c'.repeat(24), operator: 'o'.repeat(24) });
    const onlyClient = loadConfig({ API_TOKENS: JSON.stringify(tokens.slice(0, 1)), PAYSAGA_STATE_DIR: dir() });
    assert.throws(() => demoTokens(onlyClient), /API_TOKENS lacks an operator token/);
  });

  it('falls back to the file npm start writes, and says how to get one when there is none', () => {
    const stateDir = dir();
    const config = loadConfig({ PAYSAGA_STATE_DIR: stateDir });
    assert.throws(
      () => demoTokens(config),
      (err: Error) => err instanceof DemoError && /set API_TOKENS .* or run `npm start`/.test(err.message),
    );
    fs.writeFileSync(
      path.join(stateDir, 'api-tokens.json'),
      JSON.stringify([
        { token: 'client-token', subject: 'local-client', roles: ['client'] },
        { token: 'operator-token', subject: 'local-operator', roles: ['operator'] },
      ]),
    );
    assert.deepEqual(demoTokens(config), { client: 'client-token', operator: 'operator-token' });
  });
});
