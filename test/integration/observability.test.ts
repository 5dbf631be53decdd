/**
 * Logs, metrics and traces of one payment on the real pipeline: an activity's log line carries the
 * payment and trace ids; /metrics series move when a payment is decided; one trace spans the api, the Kafka
 * bridge, the workflow and the gateway activity (an in-memory span exporter).
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { configureLogging, logger, TemporalLogger, type Logger } from '../../observability/logger';
import { setupTracing } from '../../observability/tracing';
import { eventually } from '../eventually';
import { PipelineHarness } from './pipeline-harness';
import { contractFetch } from '../api-contract';

describe('observability: logs, metrics and traces of a payment (real engines)', function () {
  this.timeout(60_000);
  const h = new PipelineHarness();
  const spans = new InMemorySpanExporter();
  const lines: Record<string, unknown>[] = [];
  let previous: Logger;

  before(async function () {
    this.timeout(120_000);
    setupTracing({ serviceName: 'paysaga-test', exporters: [spans] });
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
    previous = logger;
    const captured = configureLogging({ level: 'info', format: 'json', destination: sink });
    h.temporalLogger = new TemporalLogger(() => captured);
    await h.setUp();
  });
  after(async function () {
    this.timeout(60_000);
    await h.tearDown();
    configureLogging({ level: previous.level, format: 'auto' });
  });

  let paymentId: string;
  before(async () => {
    const accountId = h.accountId();
    await h.publishAccountStates(h.accountState(accountId));
    await eventually(
      'state recorded',
      async () => (await h.pool.query('select 1 from account_states where account_id = $1', [accountId])).rowCount === 1,
    );
    paymentId = await h.submit({ accountId, amount: 700 });
    assert.equal((await h.decision(paymentId)).decision, 'AUTHORIZED');
  });

  it("logs an activity's and the workflow's lines with the payment id, the workflow id and the trace id", async () => {
    const line = await eventually('the gateway activity logged', async () =>
      lines.find((l) => l.msg === 'gateway answered' && l.paymentId === paymentId),
    );
    assert.equal(line.workflowId, `payment-${paymentId}`);
    assert.match(String(line.traceId), /^[0-9a-f]{32}$/);
    assert.equal(line.activityType, 'authorizeAtGateway');
    const accepted = lines.find((l) => l.msg === 'payment accepted' && l.paymentId === paymentId);
    assert.equal(accepted?.traceId, line.traceId, 'the api and the activity log the same trace');
    const workflowLine = await eventually('the workflow logged its decision', async () =>
      lines.find((l) => l.msg === 'payment state' && l.paymentId === paymentId && l.state === 'AUTHORIZED'),
    );
    assert.equal(workflowLine.workflowId, `payment-${paymentId}`);
    assert.ok(!JSON.stringify(lines).includes('client-token-0123456789abcdef'), 'no token in any log line');
  });

  it('spans the api, the bridge, the workflow and the gateway activity in one trace', async () => {
    const inTrace = (traceId: string) =>
      spans.getFinishedSpans().filter((s: ReadableSpan) => s.spanContext().traceId === traceId);
    const api = spans
      .getFinishedSpans()
      .find((s) => s.name === 'POST /payments' && s.attributes['paysaga.payment_id'] === paymentId);
    assert.ok(api, 'the api span');
    const names = await eventually('the whole path in the trace', async () => {
      const found = inTrace(api.spanContext().traceId).map((s) => s.name);
      const wanted = [
        'payments.authorization.requested process',
        'StartWorkflow:authorizePayment',
        'RunWorkflow:authorizePayment',
        'RunActivity:authorizeAtGateway',
        'POST /authorizations',
        'RunActivity:recordDecision',
      ];
      return wanted.every((n) => found.includes(n)) && found;
    });
    assert.ok(names.includes('POST /payments'));
  });

  it('moves the metrics when a payment is decided', async () => {
    const scrape = async () => (await contractFetch(`${h.apiUrl}/metrics`)).text();
    const value = (text: string, series: string) => {
      const line = text.split('\n').find((l) => l.startsWith(series + ' ') || (l.startsWith(series + '{') && l.includes(' ')));
      return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
    };
    const decided = 'paysaga_payments_decided_total{decision="AUTHORIZED",reason="APPROVED",decided_by="rules"}';
    const before = await scrape();
    for (const name of [
      'paysaga_payments_accepted_total',
      'paysaga_payments_decided_total',
      'paysaga_decision_latency_seconds',
      'paysaga_payments_waiting_for_state',
      'paysaga_saga_timeouts_total',
      'paysaga_overrides_total',
      'paysaga_dead_letters_total',
      'paysaga_outbox_backlog',
      'paysaga_kafka_consumer_lag',
      'paysaga_webhook_attempts_total',
    ]) {
      assert.ok(before.includes(`# TYPE ${name} `), `${name} is exposed`);
    }
    const accountId = h.accountId();
    await h.publishAccountStates(h.accountState(accountId));
    const id = await h.submit({ accountId, amount: 300 });
    await h.decision(id);
    // Each counter moves in its own step: the relay counts a record once the brokers have acknowledged it, which
    // can be after the decided event is already read (h.decision); so each is waited for, never read once.
    const series = [
      decided,
      'paysaga_payments_accepted_total',
      'paysaga_decision_latency_seconds_count{decided_by="rules"}',
      'paysaga_outbox_published_total{topic="payments.authorization.decided"}',
    ];
    let unmoved = series;
    await eventually('counters moved', async () => {
      const text = await scrape();
      unmoved = series.filter((s) => !(value(text, s) > value(before, s)));
      return unmoved.length === 0;
    }).catch((err: Error) => {
      throw new Error(`${err.message}; not moved: ${unmoved.join(', ')}`);
    });
  });

  it('measures HTTP requests of the api and the gateway by route pattern and status, never by raw path', async () => {
    // Deltas of this test's own requests: the histogram is the process's, and every suite before this one adds to it.
    const counts = async () => {
      const text = await (await fetch(`${h.apiUrl}/metrics`)).text();
      assert.ok(text.includes('# TYPE http_server_request_duration_seconds histogram'), 'the histogram is exposed');
      return text.split('\n').filter((l) => l.startsWith('http_server_request_duration_seconds_count{'));
    };
    const count = (series: string[], labels: string) => {
      const line = series.find((l) => l.startsWith(`http_server_request_duration_seconds_count{${labels}}`));
      return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
    };
    const before = await counts();
    const accountId = h.accountId();
    await h.publishAccountStates(h.accountState(accountId));
    const id = await h.submit({ accountId, amount: 400 }); // POST /payments 202, then the gateway's POST /authorizations 201
    assert.equal((await h.decision(id)).decision, 'AUTHORIZED');
    assert.equal((await h.get(`/payments/${id}`)).status, 200);
    assert.equal((await h.get(`/no-such-route-${id}`)).status, 404);
    assert.equal((await fetch(`${h.gatewayUrl}/authorizations?paymentId=${id}`)).status, 200);
    const after = await counts();
    for (const labels of [
      'component="api",http_request_method="POST",http_route="/payments",http_response_status_code="202"',
      'component="api",http_request_method="GET",http_route="/payments/:paymentId",http_response_status_code="200"',
      'component="api",http_request_method="GET",http_route="",http_response_status_code="404"',
      'component="gateway",http_request_method="POST",http_route="/authorizations",http_response_status_code="201"',
      'component="gateway",http_request_method="GET",http_route="/authorizations",http_response_status_code="200"',
    ])
      assert.equal(count(after, labels) - count(before, labels), 1, labels);
    assert.ok(!after.some((l) => l.includes(id) || l.includes(paymentId)), 'no series carries a payment id');
  });
});
