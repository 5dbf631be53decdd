import { TOPICS } from '../contracts/topics';
import { pruneInbox } from '../db/inbox';
import { createKafka } from '../kafka/client';
import { gauges } from '../observability/metrics';
import type { RoleContext, RunningRole } from '../roles/role';
import { reportLag } from '../kafka/lag';
import { NOTIFIER, notifierGroupId } from './handler';
import { purgeWebhooks } from './dispatcher';
import { createNotifier } from './notifier';

const PURGE_EVERY_MS = 3_600_000;

export async function startNotifier({ config, pool }: RoleContext): Promise<RunningRole> {
  const kafka = createKafka(config, 'notifier');
  const notifier = createNotifier({ config, kafka, pool });
  await notifier.start();
  const stopLag = await reportLag(kafka, [{ group: notifierGroupId(config), topic: TOPICS.paymentDecided }]);
  // Delivered webhooks and dead letters past WEBHOOK_RETENTION; inbox rows a day older than any replay.
  const purge = async () => {
    await purgeWebhooks(pool, config.webhooks.retentionMs);
    await pruneInbox(pool, NOTIFIER, config.inbox.retentionMs);
  };
  const timer = setInterval(() => void purge().catch(() => undefined), PURGE_EVERY_MS);
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
    ready: async () => notifier.consumer.healthy,
    async stop() {
      clearInterval(timer);
      removeProbe();
      await stopLag();
      await notifier.stop();
    },
  };
}
