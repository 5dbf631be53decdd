/**
 * The demo (`npm run demo`) against the whole pipeline on the real engines, with a short account-state
 * deadline and the review policy: every scenario is met, and what the demo reports agrees with what the
 * system itself recorded (decided events on Kafka, the operator audit, the dead-letter topic).
 */
import assert from 'node:assert/strict';
import { bridgeGroupIds } from '../../bridge';
import { SCENARIO_IDS } from '../../tools/demo/scenarios';
import { DemoError, formatSummary, runDemo, type DemoSummary } from '../../tools/demo';
import { freePort } from '../../tools/stack/proc';
import { PipelineHarness, TOKENS } from './pipeline-harness';
import { contractFetch } from '../api-contract';

describe('demo traffic against the whole pipeline', function () {
  this.timeout(180_000);
  const h = new PipelineHarness({ env: { ACCOUNT_STATE_DEADLINE: '6s', ACCOUNT_STATE_TIMEOUT_POLICY: 'review' } });
  const tokens = { client: TOKENS.client, operator: TOKENS.operator };

  before(() => h.setUp());
  after(() => h.tearDown());

  it('meets every scenario, and its counts agree with the system', async () => {
    const lines: string[] = [];
    const summary: DemoSummary = await runDemo({
      config: h.config,
      apiUrl: h.apiUrl,
      tokens,
      send: contractFetch,
      payments: 12,
      ratePerSecond: 4,
      liveEveryMs: 1_000,
      log: (line) => lines.push(line),
    });
    const report = `${formatSummary(summary)}\n\nlog:\n${lines.join('\n')}`;
    assert.ok(summary.ok, report);
    assert.deepEqual(
      summary.scenarios.map((s) => [s.id, s.met]),
      SCENARIO_IDS.map((id) => [id, true]),
      report,
    );

    // Counts: 10 scenario payments and 12 in the stream, all sent, all decided, one decided event each.
    const { payments } = summary;
    assert.equal(payments.planned, 22);
    assert.equal(payments.sent, 22);
    assert.deepEqual(payments.byStatus, { UNSENT: 0, RECEIVED: 0, AUTHORIZED: 21, DECLINED: 1 });
    assert.deepEqual(payments.byReason, { APPROVED: 20, OPERATOR_APPROVED: 1, INSUFFICIENT_FUNDS: 1 });
    assert.equal(summary.decidedEvents, 22);
    // Timed: the REST payments whose state is there on arrival (stream, fresh state, low funds).
    assert.equal(summary.latency?.payments, 14);
    assert.ok(summary.latency.medianMs <= summary.latency.p90Ms);
    assert.ok(summary.deadLettered.groups.includes(bridgeGroupIds(h.config).requests));
    assert.match(summary.deadLettered.reason ?? '', /invalid envelope/);

    // The system's own records agree: the harness's collector saw one decided event per payment, as expected.
    const ids = summary.scenarios.flatMap((s) => s.paymentIds);
    assert.equal(new Set(ids).size, 22);
    await h.decidedCount(ids[0]!); // lets every outbox row reach Kafka, and a duplicate arrive if there were one
    for (const id of ids) assert.equal(h.decided.get(id)?.length, 1, id);
    const [timeoutId] = summary.scenarios.find((s) => s.id === 'timeout')!.paymentIds;
    assert.equal(h.decided.get(timeoutId!)![0]!.reason, 'OPERATOR_APPROVED');
    assert.equal(h.decided.get(timeoutId!)![0]!.decidedBy, 'operator');
    const audit = await h.pool.query(`select operator, decision, outcome from operator_audit where payment_id = $1`, [timeoutId]);
    assert.deepEqual(audit.rows, [{ operator: 'alice', decision: 'approve', outcome: 'applied' }]);
    const [lowFundsId] = summary.scenarios.find((s) => s.id === 'insufficient-funds')!.paymentIds;
    assert.equal(h.decided.get(lowFundsId!)![0]!.reason, 'INSUFFICIENT_FUNDS');

    // It printed live lines while running, and links every scenario with payments to the Web UI.
    assert.ok(
      lines.some((l) => /^demo \d\d:\d\d {2}sent \d+\/22 · AUTHORIZED \d+/.test(l)),
      report,
    );
    for (const s of summary.scenarios.filter((x) => x.paymentIds.length > 0))
      assert.match(s.webUiUrl ?? '', new RegExp(`^${h.config.temporal.uiUrl}/namespaces/default/workflows\\?query=`));

    // It leaves no consumer group behind.
    const admin = h.kafka.admin();
    await admin.connect();
    try {
      const { groups } = await admin.listGroups();
      assert.ok(!groups.some((g) => g.groupId.includes(`-demo-${summary.runId}`)));
    } finally {
      await admin.disconnect();
    }
  });

  it('says what to do when the system is not running or refuses its tokens', async () => {
    const nowhere = `http://127.0.0.1:${await freePort()}`;
    await assert.rejects(
      runDemo({ config: h.config, apiUrl: nowhere, tokens }),
      (err: Error) => err instanceof DemoError && /not reachable .*npm start/.test(err.message),
    );
    await assert.rejects(
      runDemo({ config: h.config, apiUrl: h.apiUrl, tokens: { ...tokens, operator: 'not-a-token-of-this-system' } }),
      (err: Error) => err instanceof DemoError && /refused the demo's operator token \(401\)/.test(err.message),
    );
  });
});
