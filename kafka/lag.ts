/**
 * The health of consumer groups: lag (how many records of a topic a group has not committed yet, per
 * partition), a role's own consumers watched (lag gauge and readiness), and another process's groups seen
 * through the brokers.
 */
import type { Admin, Kafka } from 'kafkajs';
import { gauges } from '../observability/metrics';

export interface PartitionLag {
  partition: number;
  committed: number;
  end: number;
  lag: number;
}

export async function consumerLag(admin: Admin, groupId: string, topic: string): Promise<PartitionLag[]> {
  const [ends, [committed]] = await Promise.all([
    admin.fetchTopicOffsets(topic),
    admin.fetchOffsets({ groupId, topics: [topic] }),
  ]);
  return ends
    .map(({ partition, offset, low }) => {
      const c = committed?.partitions.find((p) => p.partition === partition)?.offset ?? '-1';
      // -1: nothing committed yet; the group starts from the beginning of what is still in the log.
      const from = Number(c) >= 0 ? Number(c) : Number(low);
      return { partition, committed: Number(c), end: Number(offset), lag: Math.max(0, Number(offset) - from) };
    })
    .sort((a, b) => a.partition - b.partition);
}

/** A consumer a role runs (kafka/consumer.ts, the merchant totals): its group, its topic, whether it consumes now. */
export interface WatchedConsumer {
  readonly groupId: string;
  readonly topic: string;
  readonly healthy: boolean;
}

/**
 * Watches a role's consumers: their lag as paysaga_kafka_consumer_lag{group, topic}, read when Prometheus
 * scrapes, and ready() while every one of them consumes (for /health/ready). stop() ends the watch (a stopping
 * role calls it).
 */
export async function watchConsumers(
  kafka: Kafka,
  consumers: WatchedConsumer[],
): Promise<{ ready(): Promise<boolean>; stop(): Promise<void> }> {
  const admin = kafka.admin();
  await admin.connect();
  const removers = consumers.map(({ groupId: group, topic }) =>
    gauges.consumerLag.addProbe(async () => [
      { labels: { group, topic }, value: (await consumerLag(admin, group, topic)).reduce((sum, p) => sum + p.lag, 0) },
    ]),
  );
  return {
    ready: async () => consumers.every((c) => c.healthy),
    async stop() {
      removers.forEach((remove) => remove());
      await admin.disconnect();
    },
  };
}

/**
 * Throws, naming the group, unless every group has a member and is not stuck rebalancing: another process's
 * consumers (the bridge) seen from this one (the api's readiness), through the brokers.
 */
export async function checkGroupsConsuming(admin: Admin, groupIds: string[]): Promise<void> {
  const { groups } = await admin.describeGroups(groupIds);
  for (const group of groups) {
    if (group.members.length === 0 || (group.state !== 'Stable' && group.state !== 'CompletingRebalance'))
      throw new Error(
        `consumer group ${group.groupId} is not consuming (state ${group.state}, ${group.members.length} member(s))`,
      );
  }
}
