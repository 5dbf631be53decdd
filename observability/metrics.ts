/**
 * Prometheus metrics of a paysaga process (every role it runs). Counters and histograms are updated where
 * things happen; gauges of shared state (payments waiting, outbox backlog, consumer lag) are read when
 * Prometheus scrapes, from probes the roles register. Temporal's SDK metrics are appended to /metrics by
 * observability/server.ts.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export const registry = new Registry();
collectDefaultMetrics({ register: registry });

const registers = [registry];

export const metrics = {
  paymentsAccepted: new Counter({
    name: 'paysaga_payments_accepted_total',
    help: 'Payments accepted by POST /payments (202, not replays)',
    registers,
  }),
  paymentsDecided: new Counter({
    name: 'paysaga_payments_decided_total',
    help: 'Payments decided, by decision, reason and who decided (counted once, when the decision is recorded)',
    labelNames: ['decision', 'reason', 'decided_by'] as const,
    registers,
  }),
  decisionLatency: new Histogram({
    name: 'paysaga_decision_latency_seconds',
    help: 'From the request (requestedAt) to the recorded decision',
    labelNames: ['decided_by'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600, 86400],
    registers,
  }),
  sagaTimeouts: new Counter({
    name: 'paysaga_saga_timeouts_total',
    help: 'Payments decided by a deadline: ACCOUNT_STATE_TIMEOUT or REVIEW_EXPIRED',
    labelNames: ['reason'] as const,
    registers,
  }),
  overrides: new Counter({
    name: 'paysaga_overrides_total',
    help: 'Operator overrides, by decision and outcome (requested and rejected by the api; applied or ignored by the saga)',
    labelNames: ['decision', 'outcome'] as const,
    registers,
  }),
  deadLetters: new Counter({
    name: 'paysaga_dead_letters_total',
    help: 'Kafka records sent to a dead-letter topic, by original topic and consumer group',
    labelNames: ['topic', 'group'] as const,
    registers,
  }),
  recordsHandled: new Counter({
    name: 'paysaga_kafka_records_handled_total',
    help: 'Kafka records a consumer group handled (duplicates included)',
    labelNames: ['topic', 'group'] as const,
    registers,
  }),
  consumerReplacements: new Counter({
    name: 'paysaga_kafka_consumer_replacements_total',
    help: 'Kafka consumers replaced after a crash that KafkaJS does not restart from',
    labelNames: ['consumer'] as const,
    registers,
  }),
  consumerRetries: new Counter({
    name: 'paysaga_kafka_record_retries_total',
    help: 'Retries of a record whose handler failed for a transient reason',
    labelNames: ['topic', 'group'] as const,
    registers,
  }),
  outboxPublished: new Counter({
    name: 'paysaga_outbox_published_total',
    help: 'Outbox rows published to Kafka',
    labelNames: ['topic'] as const,
    registers,
  }),
  periodicJobFailures: new Counter({
    name: 'paysaga_periodic_job_failures_total',
    help: 'Runs of a periodic job (retention) that failed; the job runs again at its next tick',
    labelNames: ['job'] as const,
    registers,
  }),
  /**
   * OpenTelemetry's http.server.request.duration in Prometheus form: its attributes become labels (dots to
   * underscores), plus the paysaga server that answered. `http_route` is the express route pattern; a request
   * no route matched (404, or refused by a body parser first) has none, so raw paths never make series.
   */
  httpServerRequestDuration: new Histogram({
    name: 'http_server_request_duration_seconds',
    help: 'Duration of HTTP server requests, by server (component), method, route pattern and status',
    labelNames: ['component', 'http_request_method', 'http_route', 'http_response_status_code'] as const,
    // OpenTelemetry's advised boundaries for this instrument.
    buckets: [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10],
    registers,
  }),
  eventStreams: new Gauge({
    name: 'paysaga_api_event_streams',
    help: 'Open event streams (GET /payments/:id/events, GET /payment-events) of this api process',
    registers,
  }),
  webhookAttempts: new Counter({
    name: 'paysaga_webhook_attempts_total',
    help: 'Webhook delivery attempts, by outcome: delivered, retry (failed, will retry) or dead_lettered',
    labelNames: ['outcome'] as const,
    registers,
  }),
};

type Probe = () => Promise<{ labels?: Record<string, string>; value: number }[]>;

/** A gauge whose values are read from probes when Prometheus scrapes. */
function probedGauge(name: string, help: string, labelNames: string[] = []) {
  const probes: Probe[] = [];
  new Gauge({
    name,
    help,
    labelNames,
    registers,
    async collect() {
      this.reset();
      for (const probe of probes) {
        for (const { labels, value } of await probe().catch(() => [])) {
          if (labels) this.set(labels, value);
          else this.set(value);
        }
      }
    },
  });
  return {
    /** Adds a probe; returns what removes it (a stopping role calls it). */
    addProbe(probe: Probe): () => void {
      probes.push(probe);
      return () => void probes.splice(probes.indexOf(probe), 1);
    },
  };
}

export const gauges = {
  paymentsWaiting: probedGauge('paysaga_payments_waiting_for_state', 'Payments waiting for fresh account state'),
  outboxBacklog: probedGauge('paysaga_outbox_backlog', 'Outbox rows not yet published to Kafka'),
  consumerLag: probedGauge('paysaga_kafka_consumer_lag', 'Records a consumer group has not committed yet', ['group', 'topic']),
  webhookBacklog: probedGauge('paysaga_webhook_backlog', 'Webhook deliveries pending, and dead-lettered', ['state']),
  roleReady: probedGauge(
    'paysaga_role_ready',
    '1 when a role this process runs has started and is ready (as /health/ready), else 0',
    ['role'],
  ),
};
