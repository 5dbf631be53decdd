import { TOPICS } from '../contracts/topics';
import { applyInboxRetention } from '../db/inbox';
import { createKafka } from '../kafka/client';
import { gauges } from '../observability/metrics';
import type { RoleContext, RunningRole } from '../roles/role';
import { watchConsumers } from '../kafka/lag';
import { startPeriodicJob } from '../roles/periodic-job';
import { NOTIFIER } from './handler';
import { createNotifier } from './notifier';
import { applyWebhookRetention } from './retention';

const RETENTION_EVERY_MS = 3_600_000;

export async function startNotifier({ config, pool }: RoleContext): Promise<RunningRole> {
  const kafka = createKafka(config, 'notifier');
  const notifier = createNotifier({ config, kafka, pool });
  await notifier.start();
  const health = await watchConsumers(kafka, [notifier.consumer]);
  // Retention of delivered webhooks and dead letters past WEBHOOK_RETENTION, and of inbox rows a day older than
  // any replay.
  const retention = [
    startPeriodicJob({
      name: 'webhook-retention',
      everyMs: RETENTION_EVERY_MS,
      run: () => applyWebhookRetention(pool, config.webhooks.retentionMs),
    }),
    startPeriodicJob({
      name: 'notifier-inbox-retention',
      everyMs: RETENTION_EVERY_MS,
      run: () => applyInboxRetention(pool, NOTIFIER, config.inbox.retentionMs),
    }),
  ];
  const count = config.webhooks.endpoints.length;
  const removeProbe = gauges.webhookBacklog.addProbe(async () => {
    const { rows } = await pool.query<{ pending: number; dead: number }>(
      `select (select count(*)::int from webhook_deliveries where status = 'pending') as pending,
              (select count(*)::int from webhook_dead_letters) as dead`,
    );
    return [
      { labels: { state: 'pending' }, value: rows[0]!.pending },
      { labels: { state: 'dead_lettered' }, value: rows[0]!.dead },
    ];
  });
  return {
    name: 'notifier',
    describe: `notifier delivering ${TOPICS.paymentDecided} as webhooks to ${count} endpoint${count === 1 ? '' : 's'}`,
    ready: health.ready,
    async stop() {
      await Promise.all(retention.map((job) => job.stop()));
      removeProbe();
      await health.stop();
      await notifier.stop();
    },
  };
}
