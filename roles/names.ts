/**
 * The names of paysaga's roles, in start order (downstream first, so nothing waits for a role that is not up;
 * the reverse is the stop order). Names only: the table of start functions lives with the entry point
 * (cli/roles.ts), so this folder near the ground imports no role.
 */
const NAMES = ['gateway', 'worker', 'outbox-relay', 'merchant-totals', 'notifier', 'read-model', 'bridge', 'api'] as const;

export type RoleName = (typeof NAMES)[number];
export const ROLE_NAMES: RoleName[] = [...NAMES];

const isRoleName = (name: string): name is RoleName => (NAMES as readonly string[]).includes(name);

export function parseRoles(list: string): RoleName[] {
  const names = list
    .split(',')
    .map((r) => r.trim())
    .filter(Boolean);
  const unknown = names.filter((n) => !isRoleName(n));
  if (unknown.length > 0 || names.length === 0) {
    throw new Error(`unknown role(s) ${unknown.join(', ') || '(none given)'}; the roles are ${ROLE_NAMES.join(', ')}`);
  }
  return ROLE_NAMES.filter((n) => names.includes(n));
}
