import { MERCHANT_TOTALS_TOPICS, TOPICS } from '../contracts/topics';
import { createKafka } from '../kafka/client';
import { reportLag } from '../kafka/lag';
import type { RoleContext, RunningRole } from '../roles/role';
import { MerchantTotalsProcessor } from './processor';

export async function startMerchantTotals({ config }: RoleContext): Promise<RunningRole> {
  const processor = new MerchantTotalsProcessor({ config });
  await processor.start();
  const stopLag = await reportLag(createKafka(config, 'merchant-totals-lag'), [
    { group: processor.groupId, topic: TOPICS.paymentDecided },
  ]);
  return {
    name: 'merchant-totals',
    describe: `merchant totals aggregating ${TOPICS.paymentDecided} into ${MERCHANT_TOTALS_TOPICS.totals} (Kafka transactions)`,
    ready: async () => processor.healthy,
    async stop() {
      await stopLag();
      await processor.stop();
    },
  };
}
