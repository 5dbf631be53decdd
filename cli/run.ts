/** `run <role[,role…]>`: roles only, against configured engines (a cluster, compose). */
import { parseArgs } from 'node:util';
import { logger } from '../observability/logger';
import { parseRoles, type RoleName } from '../roles';
import { stopRequested, untilStopped } from '../roles/lifecycle';
import { parseOrUsage, UsageError, type Command } from './command';
import { describeStop, runRoles } from './run-roles';
import { loadSettings } from './settings';

/** A role list, with an unknown or missing role as a usage error. */
export function rolesOrUsage(list: string): RoleName[] {
  try {
    return parseRoles(list);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

export const command: Command = {
  name: 'run',
  summary: 'roles only, against configured engines: npm run api | worker | bridge | outbox-relay | gateway …',
  usage: 'node main.js run <role[,role…]> (or npm run <role>)',
  async run(argv) {
    const { positionals, values } = parseOrUsage(() =>
      parseArgs({ args: argv, allowPositionals: true, options: { roles: { type: 'string' } } }),
    );
    const roles = rolesOrUsage(positionals.join(',') || values.roles || '');
    const config = loadSettings();
    logger.info({ roles }, `paysaga: starting ${roles.join(', ')}`);
    const stopped = untilStopped();
    const { stop, metricsUrl } = await runRoles(config, roles);
    if (!stopRequested()) logger.info({ metricsUrl }, 'paysaga: ready');
    const reason = await stopped;
    logger.info(`paysaga: ${describeStop(reason)}, stopping`);
    const hung = await stop();
    if (hung.length > 0) {
      logger.error({ hung }, `paysaga: ${hung.join(', ')} did not stop in time; exiting non-zero`);
      return 1;
    }
    logger.info('paysaga: stopped');
    return reason.kind === 'fatal' ? 1 : 0;
  },
};
