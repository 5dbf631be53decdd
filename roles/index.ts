/**
 * Every role of paysaga, runnable alone or together in one process (`main.ts`): the order is the start
 * order (downstream first, so nothing waits for a role that is not up), and the reverse is the stop order.
 */
import { startApi } from '../api/service';
import { startBridge } from '../bridge/service';
import { startGateway } from '../gateway/service';
import { startMerchantTotals } from '../merchant-totals/service';
import { startNotifier } from '../notifier/service';
import { startOutboxRelay } from '../outbox/service';
import { startReadModel } from '../read-model/service';
import { startWorker } from '../workers/service';
import type { RoleContext, RunningRole } from './role';

export const ROLES = {
  gateway: startGateway,
  worker: startWorker,
  'outbox-relay': startOutboxRelay,
  'merchant-totals': startMerchantTotals,
  notifier: startNotifier,
  'read-model': startReadModel,
  bridge: startBridge,
  api: startApi,
} as const satisfies Record<string, (ctx: RoleContext) => Promise<RunningRole>>;

export type RoleName = keyof typeof ROLES;
export const ROLE_NAMES = Object.keys(ROLES) as RoleName[];

export function parseRoles(list: string): RoleName[] {
  const names = list
    .split(',')
    .map((r) => r.trim())
    .filter(Boolean);
  const unknown = names.filter((n) => !(n in ROLES));
  if (unknown.length > 0 || names.length === 0) {
    throw new Error(`unknown role(s) ${unknown.join(', ') || '(none given)'}; the roles are ${ROLE_NAMES.join(', ')}`);
  }
  return ROLE_NAMES.filter((n) => names.includes(n));
}

export type { RoleContext, RunningRole } from './role';
