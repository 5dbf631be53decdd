import { MERCHANT_TOTALS_TOPICS, TOPICS } from '../contracts/topics';
import { createKafka } from '../kafka/client';
import { watchConsumers } from '../kafka/lag';
import type { RoleContext, RunningRole } from '../roles/role';
import { MerchantTotalsProcessor } from './processor';

export async function startMerchantTotals({ config }: RoleContext): Promise<RunningRole> {
  const processor = new MerchantTotalsProcessor({ config });
  await processor.start();
  const health = await watchConsumers(createKafka(config, 'merchant-totals-lag'), [processor]);
  return {
    name: 'merchant-totals',
    describe: `merchant totals aggregating ${TOPICS.paymentDecided} into ${MERCHANT_TOTALS_TOPICS.totals} (Kafka transactions)`,
    ready: health.ready,
    async stop() {
      await health.stop();
      await processor.stop();
    },
  };
}
