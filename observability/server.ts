/**
 * A process's observability endpoint (METRICS_PORT): `/metrics` in the Prometheus text format — paysaga's
 * series and, when a worker runs here, the Temporal SDK's own (its Core runtime serves them on a private
 * loopback port; they are appended), with `paysaga_role_ready` per role — and `/health/live`, `/health/ready`
 * listing each role it runs. The api also serves `/metrics` on its own port.
 */
import type { Server } from 'node:http';
import express, { type RequestHandler } from 'express';
import { listen } from '../roles/listen';
import { gauges, registry } from './metrics';
import { fatalError } from '../roles/lifecycle';

let temporalMetricsUrl: string | undefined;

/** Where the Temporal Core runtime serves its Prometheus metrics (set when the runtime is installed). */
export function setTemporalMetricsUrl(url: string): void {
  temporalMetricsUrl = url;
}

export const metricsHandler: RequestHandler = async (_req, res) => {
  let text = await registry.metrics();
  if (temporalMetricsUrl) {
    const core = await fetch(temporalMetricsUrl, { signal: AbortSignal.timeout(2_000) })
      .then((r) => (r.ok ? r.text() : ''))
      .catch(() => '');
    text += core;
  }
  res.type(registry.contentType).send(text);
};

export interface RoleHealth {
  name: string;
  /** Resolves true when the role can do its work (its engines answer). */
  ready(): Promise<boolean>;
}

export async function startObservabilityServer(opts: { port: number; host: string; roles: () => RoleHealth[] }): Promise<Server> {
  const app = express();
  app.disable('x-powered-by');
  app.get('/metrics', metricsHandler);
  app.get('/health/live', (_req, res) => {
    const fatal = fatalError();
    const roles = opts.roles().map((r) => r.name);
    if (fatal) return void res.status(503).json({ status: 'failed', roles, failed: { role: fatal.role, error: fatal.error } });
    res.json({ status: 'live', roles });
  });
  app.get('/health/ready', async (_req, res) => {
    const roles = await Promise.all(opts.roles().map(async (r) => ({ name: r.name, ready: await r.ready().catch(() => false) })));
    const ready = roles.length > 0 && roles.every((r) => r.ready);
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready', roles });
  });
  const server = await listen(app, opts.port, opts.host);
  // The same answer as /health/ready, per role, for alerting rules (a role not ready for minutes).
  const removeProbe = gauges.roleReady.addProbe(async () =>
    Promise.all(
      opts.roles().map(async (r) => ({ labels: { role: r.name }, value: (await r.ready().catch(() => false)) ? 1 : 0 })),
    ),
  );
  server.once('close', removeProbe);
  return server;
}
