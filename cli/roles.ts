/**
 * The start function of every role, for the commands that run roles (`npm start`, `run <role>`). Here, at
 * the entry point, rather than in roles/: that folder is shared by the roles and must not import them.
 */
import { startApi } from '../api/service';
import { startBridge } from '../bridge/service';
import { startGateway } from '../gateway/service';
import { startMerchantTotals } from '../merchant-totals/service';
import { startNotifier } from '../notifier/service';
import { startOutboxRelay } from '../outbox/service';
import { startReadModel } from '../read-model/service';
import type { RoleContext, RoleName, RunningRole } from '../roles';
import { startWorker } from '../workers/service';

export const ROLES: Record<RoleName, (ctx: RoleContext) => Promise<RunningRole>> = {
  gateway: startGateway,
  worker: startWorker,
  'outbox-relay': startOutboxRelay,
  'merchant-totals': startMerchantTotals,
  notifier: startNotifier,
  'read-model': startReadModel,
  bridge: startBridge,
  api: startApi,
};
