import { MERCHANT_TOTALS_TOPICS, TOPICS } from '../contracts/topics';
import type { RoleContext, RunningRole } from '../roles/role';
import { MerchantTotalsProcessor } from './processor';

export async function startMerchantTotals({ config }: RoleContext): Promise<RunningRole> {
  const processor = new MerchantTotalsProcessor({ config });
  await processor.start();
  return {
    name: 'merchant-totals',
    describe: `merchant totals aggregating ${TOPICS.paymentDecided} into ${MERCHANT_TOTALS_TOPICS.totals} (Kafka transactions)`,
    async stop() {
      await processor.stop();
    },
  };
}
