/**
 * What the drill runs in its own process, as the worker role and the pipeline harness build it: a database pool
 * (migrated), the gateway simulator on a free port, the saga's activities and a Temporal client (with the payload
 * codec); and payment workers, each one build with a connection of its own, started and stopped on demand.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import type { WorkerDeploymentVersion } from '@temporalio/common';
import { NativeConnection, type Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type Activities } from '../../activities';
import type { Config } from '../../config';
import { migrate } from '../../db/migrate';
import { createPool, type Pool } from '../../db/pool';
import { FaultInjector } from '../../gateway/faults';
import { createGatewayApp } from '../../gateway/server';
import { listen } from '../../roles/listen';
import { temporalDataConverter } from '../../temporal/codec';
import { temporalConnectionOptions } from '../../temporal/connection';
import { promoteAtStart, workerVersion } from '../../workers/versioning';
import { createPaymentWorker } from '../../workers/worker';

/** One build's worker, polling the drill's task queue. */
export interface DrillWorker {
  /** Undefined when unversioned. */
  readonly version: WorkerDeploymentVersion | undefined;
  /** Makes this build the deployment's current version (WORKER_PROMOTE=always); retries until the server has seen it poll. */
  promote(signal?: AbortSignal): Promise<void>;
  /** Stops polling, lets running tasks finish, resolves when the worker has stopped. Safe to call twice. */
  stop(): Promise<void>;
}

export class DrillSystem {
  pool?: Pool;
  client?: Client;
  private gateway?: Server;
  private activities?: Activities;
  private readonly workers: DrillWorker[] = [];

  constructor(readonly config: Config) {}

  /** Opens everything; on a failure what was opened stays recorded, so close() ends it. */
  async open(): Promise<void> {
    const { config } = this;
    this.pool = createPool(config);
    await migrate(this.pool);
    this.gateway = await listen(createGatewayApp({ pool: this.pool, faults: new FaultInjector() }), 0);
    this.activities = createActivities({
      pool: this.pool,
      gatewayUrl: `http://127.0.0.1:${(this.gateway.address() as AddressInfo).port}`,
      gatewayRequestTimeoutMs: config.gateway.requestTimeoutMs,
    });
    this.client = new Client({
      connection: await Connection.connect(temporalConnectionOptions(config)),
      namespace: config.temporal.namespace,
      dataConverter: temporalDataConverter(config),
    });
  }

  get workflowService(): Client['workflowService'] {
    return this.client!.workflowService;
  }

  /**
   * A payment worker of the build `config` names (WORKER_BUILD_ID), on the drill's task queue, running. Without
   * `code` it bundles workflows/ as the worker role does from source.
   */
  async startWorker(config: Config, code?: string): Promise<DrillWorker> {
    // One connection per worker, as two deployed processes have: the SDK refuses a second worker of the same
    // task queue and build on one connection, and two unversioned builds are both "no build".
    const connection = await NativeConnection.connect(temporalConnectionOptions(config));
    let worker: Worker;
    try {
      worker = await createPaymentWorker({
        config,
        connection,
        activities: this.activities!,
        taskQueue: config.temporal.taskQueue,
        ...(code === undefined
          ? {}
          : { workflowCode: { workflowBundle: { code } } satisfies Pick<WorkerOptions, 'workflowBundle'> }),
      });
    } catch (err) {
      await connection.close();
      throw err;
    }
    let failure: Error | undefined;
    // A run that fails is a worker that polls no more: kept, and thrown by stop(), so the drill reports it.
    const running = worker.run().catch((err: unknown) => {
      failure = err instanceof Error ? err : new Error(String(err));
    });
    const version = workerVersion(config);
    let closed = false;
    const handle: DrillWorker = {
      version,
      async promote(signal) {
        if (version) await promoteAtStart(connection, config, version, signal);
      },
      async stop() {
        if (worker.getState() === 'RUNNING') worker.shutdown();
        await running;
        if (!closed) {
          closed = true;
          await connection.close();
        }
        if (failure) throw failure;
      },
    };
    this.workers.push(handle);
    return handle;
  }

  /** Stops every worker still running, then closes connections, the gateway and the pool. Tolerates a partial open(). */
  async close(): Promise<void> {
    const failures: unknown[] = [];
    const attempt = async (fn: () => Promise<unknown> | undefined) => {
      try {
        await fn();
      } catch (err) {
        failures.push(err);
      }
    };
    for (const w of this.workers) await attempt(() => w.stop());
    await attempt(() => this.client?.connection.close());
    await attempt(async () => {
      const server = this.gateway;
      if (!server) return;
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    });
    await attempt(() => this.pool?.end());
    if (failures.length > 0) throw failures[0];
  }
}
