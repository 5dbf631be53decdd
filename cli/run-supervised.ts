/**
 * `npm start -- --cluster`: the roles as a deployment runs them, each role twice, every instance its own process
 * under a supervisor that starts it again if it exits (tools/supervisor.ts): two apis (the first on API_PORT,
 * the second on the next port), two bridges in one consumer group, two workers on one task queue, two relays,
 * notifiers, read models and merchant-totals instances. The gateway simulator stands for the payment provider,
 * outside paysaga, and runs once. Same result shape as runRoles, so `npm start` reads the same either way.
 */
import path from 'node:path';
import type { Config } from '../config';
import { logger } from '../observability/logger';
import type { RoleName } from '../roles';
import { stopRequested } from '../roles/lifecycle';
import { clusterInstances, instanceApiPort, Supervisor } from '../tools/supervisor';

export async function runSupervisedRoles(
  config: Config,
  roles: readonly RoleName[],
  env: NodeJS.ProcessEnv,
  readyTimeoutMs = 180_000,
): Promise<{ stop: () => Promise<string[]>; metricsUrl: string | undefined; apiPorts: number[]; logDir: string }> {
  const logDir = path.join(config.stateDir, 'logs', 'roles');
  const supervisor = new Supervisor({ env, logDir });
  await supervisor.start([...roles], {
    instances: clusterInstances,
    envFor: (role, instance) => (role === 'api' ? { API_PORT: String(instanceApiPort(config.api.port, instance)) } : {}),
  });
  const deadline = Date.now() + readyTimeoutMs;
  while (!stopRequested() && !(await supervisor.allReady())) {
    if (Date.now() > deadline) {
      const waiting = await supervisor.notReady();
      logger.warn({ waiting }, `not ready after ${readyTimeoutMs / 1000}s: ${waiting.join(', ')} (logs: ${logDir})`);
      break;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  const first = supervisor.instances()[0];
  return {
    stop: () => supervisor.stop(30_000),
    metricsUrl: stopRequested() || !first ? undefined : `http://127.0.0.1:${supervisor.metricsPort(first)}/metrics`,
    apiPorts: roles.includes('api') ? [1, 2].map((i) => instanceApiPort(config.api.port, i)) : [],
    logDir,
  };
}
