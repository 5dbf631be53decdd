/** Consumer lag: how many records of a topic a consumer group has not committed yet, per partition. */
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

/**
 * Reports the lag of consumer groups as paysaga_kafka_consumer_lag{group, topic}, read when Prometheus
 * scrapes. Returns what stops it (a stopping role calls it).
 */
export async function reportLag(kafka: Kafka, pairs: { group: string; topic: string }[]): Promise<() => Promise<void>> {
  const admin = kafka.admin();
  await admin.connect();
  const removers = pairs.map(({ group, topic }) =>
    gauges.consumerLag.addProbe(async () => [
      { labels: { group, topic }, value: (await consumerLag(admin, group, topic)).reduce((sum, p) => sum + p.lag, 0) },
    ]),
  );
  return async () => {
    removers.forEach((remove) => remove());
    await admin.disconnect();
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
      throw new Error(`consumer group ${group.groupId} is not consuming (state ${group.state}, ${group.members.length} member(s))`);
  }
}
