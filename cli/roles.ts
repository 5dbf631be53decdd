/**
 * The start function of every role, for the commands that run roles (`npm start`, `run <role>`). Here, at
 * the entry point, rather than in roles/: that folder is shared by the roles and must not import them.
 */
import { startApi } from '../api/role';
import { startBridge } from '../bridge/role';
import { startGateway } from '../gateway/role';
import { startMerchantTotals } from '../merchant-totals/role';
import { startNotifier } from '../notifier/role';
import { startOutboxRelay } from '../outbox/role';
import { startReadModel } from '../read-model/role';
import type { RoleContext, RoleName, RunningRole } from '../roles';
import { startWorker } from '../workers/role';

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
