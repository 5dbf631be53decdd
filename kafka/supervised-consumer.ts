/**
 * A KafkaJS consumer that outlives its crashes. KafkaJS restarts a consumer after a retriable crash, but one it
 * will not restart (for example "The coordinator is not aware of this member" after a broker or coordinator
 * restart) is disconnected and stays down for good while the process carries on. This wrapper then replaces it
 * with a new consumer of the same group, with backoff, until one runs again; it never gives up quietly: a
 * replacement that keeps failing for `giveUpAfterMs` is reported fatal (roles/lifecycle.ts), so the process
 * exits non-zero and its supervisor starts it afresh.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Consumer, ConsumerConfig, Kafka } from 'kafkajs';
import { logger } from '../observability/logger';
import { metrics } from '../observability/metrics';
import { reportFatal } from '../roles/lifecycle';

export interface SupervisedConsumerOptions {
  /** Who the consumer is, in logs and the fatal report (e.g. its group id). */
  name: string;
  config: ConsumerConfig;
  /** Subscribes and runs a connected consumer: called for the first one and for every replacement. */
  run: (consumer: Consumer) => Promise<void>;
  /** How long replacing may keep failing before the process is told to exit (default 5 minutes). */
  giveUpAfterMs?: number;
  /** Told when replacing has failed for good (default: reportFatal, which ends the process). */
  onFatal?: (who: string, error: unknown) => void;
}

/** KafkaJS's group session: a member that sends no heartbeat for this long is dropped from the group. */
export const SESSION_TIMEOUT_MS = 10_000;
/**
 * A member heartbeats this often (also while it handles or retries a record), so it keeps its partitions: a third of
 * the session, Kafka's own default ratio. Every heartbeat is a request to the group coordinator, so each consumer
 * of each role paid one a second to learn of a rebalance within a second rather than three.
 */
export const HEARTBEAT_MS = 3_000;

/**
 * What every role's consumer of `groupId` runs with: committed records only, no topic created by a read, the
 * session and heartbeat above, and an idle fetch of at most 1 s (KafkaJS: 5 s), so a stopping role is not held
 * by one.
 */
export const roleConsumerConfig = (groupId: string): ConsumerConfig => ({
  groupId,
  readUncommitted: false,
  allowAutoTopicCreation: false,
  sessionTimeout: SESSION_TIMEOUT_MS,
  heartbeatInterval: HEARTBEAT_MS,
  maxWaitTimeInMs: 1_000,
});

export class SupervisedConsumer {
  private current?: Consumer;
  private state: 'idle' | 'running' | 'replacing' | 'stopped' | 'failed' = 'idle';
  private replacing?: Promise<void>;
  /** Aborted by stop(): ends the wait between two replacements at once. */
  private readonly stopping = new AbortController();
  /** Consumers that replaced a crashed one since start. */
  replacements = 0;

  constructor(
    private readonly kafka: Kafka,
    private readonly opts: SupervisedConsumerOptions,
  ) {}

  /** The consumer in use now (a replacement after a crash). */
  get consumer(): Consumer | undefined {
    return this.current;
  }

  /** Running: started, not stopped, not between a crash and its replacement. */
  get healthy(): boolean {
    return this.state === 'running';
  }

  /** Starts the first consumer; fails if it cannot (a role that cannot start should not pretend to run). */
  async start(): Promise<void> {
    await this.launch();
  }

  async stop(): Promise<void> {
    this.state = 'stopped';
    this.stopping.abort();
    await this.replacing;
    await this.current?.disconnect();
  }

  private async launch(): Promise<void> {
    const consumer = this.kafka.consumer(this.opts.config);
    this.current = consumer;
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (payload.restart || consumer !== this.current || this.state === 'stopped') return;
      logger.error(
        { consumer: this.opts.name, err: payload.error.message },
        'kafka consumer crashed and KafkaJS will not restart it; replacing it',
      );
      this.replacing = this.replace(payload.error);
    });
    await consumer.connect();
    await this.opts.run(consumer);
    if (this.state !== 'stopped') this.state = 'running';
  }

  private async replace(cause: Error): Promise<void> {
    this.state = 'replacing';
    const since = Date.now();
    const giveUpAfterMs = this.opts.giveUpAfterMs ?? 300_000;
    let lastError: unknown = cause;
    for (let attempt = 0; this.state === 'replacing'; attempt++) {
      await this.current?.disconnect().catch(() => undefined);
      try {
        await this.launch();
        this.replacements++;
        metrics.consumerReplacements.inc({ consumer: this.opts.name });
        logger.info({ consumer: this.opts.name, afterMs: Date.now() - since }, 'kafka consumer replaced and running');
        return;
      } catch (err) {
        lastError = err;
        if (Date.now() - since > giveUpAfterMs) {
          this.state = 'failed';
          (this.opts.onFatal ?? reportFatal)(`kafka consumer ${this.opts.name}`, lastError);
          return;
        }
        const delay = Math.min(10_000, 500 * 2 ** attempt);
        logger.warn(
          { consumer: this.opts.name, err: (err as Error).message, retryInMs: delay },
          'replacing the kafka consumer failed',
        );
        await sleep(delay, undefined, { signal: this.stopping.signal }).catch(() => undefined); // rejects only when stopped
      }
    }
  }
}
