/**
 * `npm run chaos -- --acked-records`: Kafka alone, without the saga. Produces as the outbox relay does (at least once,
 * acks=all, batches of five keys, each batch's answer checked by kafka/acknowledged-batch.ts) to a new topic at
 * replication 3 and min.insync.replicas 2. It SIGKILLs one broker of the cluster topology, starts it again after
 * `downMs`, then reads the topic back and names every acknowledged record that is not there. With `unchecked`, it
 * produces as the relay did before: KafkaJS's idempotent producer and its sendBatch alone, which is how the cluster
 * fault suite lost decided events (docs/scaling.md).
 */
import { randomUUID } from 'node:crypto';
import { Partitioners } from 'kafkajs';
import { atLeastOnceProducer, KeyPartitioner, sendAcknowledgedBatch } from '../../kafka/acknowledged-batch';
import type { Config } from '../../config';
import { createKafka } from '../../kafka/client';
import { stackUp } from '../stack';
import { statePaths } from '../stack/engine';
import { runningPid, sleep } from '../stack/proc';

export interface AckedRecordsResult {
  topic: string;
  broker: number;
  downMs: number;
  checked: boolean;
  acknowledged: number;
  failed: number;
  onTopic: number;
  /** Acknowledged with acks=all, then not on the topic. */
  lost: string[];
}

export async function runAckedRecords(
  config: Config,
  opts: { broker: number; downMs: number; checked: boolean },
): Promise<AckedRecordsResult> {
  // Checked before anything connects: nothing is left open when there is no broker to kill.
  if (runningPid(statePaths(config, `kafka-${opts.broker}`).pidFile) === undefined)
    throw new Error(`kafka-${opts.broker} is not running (npm run stack -- up --cluster)`);
  const kafka = createKafka(config, 'chaos-acked-records');
  const topic = `chaos-acked-records-${randomUUID().slice(0, 8)}`;
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    waitForLeaders: true,
    topics: [{ topic, numPartitions: 3, replicationFactor: 3, configEntries: [{ name: 'min.insync.replicas', value: '2' }] }],
  });
  const producer = opts.checked
    ? atLeastOnceProducer(kafka)
    : kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const partitions = new KeyPartitioner(kafka);
  const acknowledged = new Set<string>();
  let failed = 0;
  let sent = 0;
  let stopping = false;
  const load = (async () => {
    while (!stopping) {
      const values = Array.from({ length: 5 }, () => `r-${sent++}`);
      try {
        const messages = values.map((v) => ({ key: v, value: v }));
        if (opts.checked) await sendAcknowledgedBatch(producer, [{ topic, messages: await partitions.assign(topic, messages) }]);
        else await producer.sendBatch({ acks: -1, topicMessages: [{ topic, messages }] });
        for (const v of values) acknowledged.add(v);
      } catch {
        failed += values.length; // not acknowledged: the relay would send these again
      }
      await sleep(20);
    }
  })();
  try {
    await sleep(3_000);
    const pid = runningPid(statePaths(config, `kafka-${opts.broker}`).pidFile);
    if (pid === undefined) throw new Error(`kafka-${opts.broker} stopped by itself during the drill`);
    process.kill(-pid, 'SIGKILL');
    await sleep(opts.downMs);
    await stackUp(config);
    await sleep(5_000); // records acknowledged after the broker is back
  } finally {
    stopping = true;
    await load;
    await producer.disconnect();
  }
  const ends = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const total = ends.reduce((s, p) => s + Number(p.high), 0);
  const seen = new Set<string>();
  const consumer = kafka.consumer({ groupId: `${topic}-check` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 60_000);
    void consumer.run({
      eachMessage: async ({ message }) => {
        seen.add(message.value!.toString());
        if (seen.size >= total) {
          clearTimeout(timer);
          resolve();
        }
      },
    });
  });
  await consumer.disconnect();
  return {
    topic,
    broker: opts.broker,
    downMs: opts.downMs,
    checked: opts.checked,
    acknowledged: acknowledged.size,
    failed,
    onTopic: seen.size,
    lost: [...acknowledged].filter((v) => !seen.has(v)),
  };
}
