/**
 * The legacy core's account feed, simulated for demos and tests: snapshots of each account with rising
 * versions, published late, duplicated and out of order onto accounts.state.updated, as the real one does.
 */
import { randomUUID } from 'node:crypto';
import { type Kafka } from 'kafkajs';
import { envelope, EVENT_TYPES } from '../../contracts/events';
import type { AccountState } from '../../contracts/payment';
import { TOPICS } from '../../contracts/topics';
import { atLeastOnceProducer } from '../../kafka/acknowledged-batch';

export interface FeedPlan {
  accountIds: string[];
  /** Snapshots per account, versions 1..n. */
  updates: number;
  /** First snapshot's balance in minor units; later ones move by up to ±10%. */
  balance: number;
  currency: string;
  /** asOf of version 1; each later version is one second later. */
  startAsOf: Date;
  /** Share of snapshots published twice. */
  duplicateRate: number;
  /** Share of adjacent snapshots of one account published in swapped order. */
  reorderRate: number;
  random?: () => number;
}

/** The snapshots in the order the feed publishes them, duplicates and reorderings included. */
export function planFeed(plan: FeedPlan): AccountState[] {
  const random = plan.random ?? Math.random;
  const records: AccountState[] = [];
  for (const accountId of plan.accountIds) {
    const snapshots: AccountState[] = [];
    let balance = plan.balance;
    for (let version = 1; version <= plan.updates; version++) {
      snapshots.push({
        accountId,
        version,
        asOf: new Date(plan.startAsOf.getTime() + (version - 1) * 1_000).toISOString(),
        status: 'active',
        balance,
        currency: plan.currency,
      });
      balance = Math.max(0, balance + Math.round((random() - 0.5) * 0.2 * balance));
    }
    for (let i = 0; i + 1 < snapshots.length; i++) {
      if (random() < plan.reorderRate) [snapshots[i], snapshots[i + 1]] = [snapshots[i + 1]!, snapshots[i]!];
    }
    for (const s of snapshots) {
      records.push(s);
      if (random() < plan.duplicateRate) records.push({ ...s });
    }
  }
  return records;
}

/** A connected feed: one producer (kafka/acknowledged-batch.ts) for as many publications as its user makes (the bench's late states). */
export interface FeedPublisher {
  /** Publishes snapshots keyed by account id, waiting delayMs between records. */
  publish(records: AccountState[], delayMs?: number): Promise<void>;
  disconnect(): Promise<void>;
}

export async function connectFeed(kafka: Kafka): Promise<FeedPublisher> {
  const producer = atLeastOnceProducer(kafka);
  await producer.connect();
  return {
    async publish(records, delayMs = 0) {
      for (const state of records) {
        await producer.send({
          topic: TOPICS.accountStateUpdated,
          acks: -1,
          messages: [
            {
              key: state.accountId,
              value: JSON.stringify(envelope(EVENT_TYPES.accountStateUpdated, randomUUID(), new Date().toISOString(), state)),
            },
          ],
        });
        if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
      }
    },
    disconnect: () => producer.disconnect(),
  };
}

/** Publishes snapshots keyed by account id, waiting delayMs between records, on a producer of its own. */
export async function publishFeed(kafka: Kafka, records: AccountState[], delayMs = 0): Promise<void> {
  const feed = await connectFeed(kafka);
  try {
    await feed.publish(records, delayMs);
  } finally {
    await feed.disconnect();
  }
}
