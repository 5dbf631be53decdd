export { parseRoles, ROLE_NAMES, type RoleName } from './names';
export type { RoleContext, RunningRole } from './role';
