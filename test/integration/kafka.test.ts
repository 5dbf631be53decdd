import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { ConfigResourceTypes, Partitioners, type Admin, type Kafka } from 'kafkajs';
import { loadConfig } from '../../config';
import { deadLetterTopic, TOPICS } from '../../contracts/topics';
import { createKafka } from '../../kafka/client';
import { setGroupOffsets, setGroupToTopicEnd } from '../../kafka/group-offsets';
import { ensureTopics, topicSpecs } from '../../kafka/topics';

/** Reads every record of a topic from the beginning until `expected` arrived or 10 s passed. */
async function readAll(kafka: Kafka, topic: string, readUncommitted: boolean, expected: number): Promise<string[]> {
  const consumer = kafka.consumer({ groupId: `test-${randomUUID()}`, readUncommitted });
  const values: string[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 10_000);
      void consumer.run({
        eachMessage: async ({ message }) => {
          values.push(message.value?.toString() ?? '');
          if (values.length >= expected) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return values;
}

describe('Kafka broker (real engine)', function () {
  this.timeout(60_000);
  const config = loadConfig();
  const kafka = createKafka(config, 'test');
  let admin: Admin;

  before(async () => {
    admin = kafka.admin();
    await admin.connect();
  });
  after(async () => {
    await admin?.disconnect();
  });

  it("commits a KafkaJS transaction's records to read_committed consumers and hides an aborted one's", async () => {
    const topic = `test.transactions.${randomUUID()}`;
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    const producer = kafka.producer({
      transactionalId: `test-${randomUUID()}`,
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await producer.connect();
    try {
      const committed = await producer.transaction();
      await committed.send({
        topic,
        messages: [
          { key: 'acc-1', value: 'committed-1' },
          { key: 'acc-1', value: 'committed-2' },
        ],
      });
      await committed.commit();

      const aborted = await producer.transaction();
      await aborted.send({ topic, messages: [{ key: 'acc-1', value: 'aborted-1' }] });
      await aborted.abort();

      const after = await producer.transaction();
      await after.send({ topic, messages: [{ key: 'acc-1', value: 'committed-3' }] });
      await after.commit();
    } finally {
      await producer.disconnect();
    }

    const readCommitted = await readAll(kafka, topic, false, 3);
    assert.deepEqual(readCommitted, ['committed-1', 'committed-2', 'committed-3']);
    // The aborted record is in the log: a read_uncommitted consumer sees it, so the filtering above is real.
    const readUncommitted = await readAll(kafka, topic, true, 4);
    assert.deepEqual(readUncommitted, ['committed-1', 'committed-2', 'aborted-1', 'committed-3']);
    await admin.deleteTopics({ topics: [topic] });
  });

  it('sets the offsets of a consumer group with no member, partition by partition, and refuses while it has one', async () => {
    const topic = `paysaga.test.group-offsets-${randomUUID().slice(0, 8)}`;
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    await producer.send({ topic, messages: [0, 0, 0, 1, 1].map((partition, i) => ({ partition, value: `v${i}` })) });
    await producer.disconnect();
    const committed = async (groupId: string) =>
      (await admin.fetchOffsets({ groupId, topics: [topic] }))[0]!.partitions
        .map(({ partition, offset }) => `${partition}:${offset}`)
        .sort();

    const groupId = `test-${randomUUID()}`;
    await setGroupOffsets(kafka, { groupId, topic, partitions: [{ partition: 0, offset: '1' }, { partition: 1, offset: '2' }] });
    assert.deepEqual(await committed(groupId), ['0:1', '1:2']);
    await setGroupToTopicEnd(kafka, groupId, topic);
    assert.deepEqual(await committed(groupId), ['0:3', '1:2']);
    // A consumer of the group resumes where the offsets say: only what is published after the end.
    const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
    const seen: string[] = [];
    await consumer.connect();
    try {
      await consumer.subscribe({ topic, fromBeginning: true });
      const first = new Promise<void>((resolve) => {
        void consumer.run({
          eachMessage: async ({ message }) => {
            seen.push(message.value?.toString() ?? '');
            resolve();
          },
        });
      });
      const late = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
      await late.connect();
      await late.send({ topic, messages: [{ partition: 1, value: 'after' }] });
      await late.disconnect();
      await first;
      assert.deepEqual(seen, ['after']);
      await assert.rejects(setGroupOffsets(kafka, { groupId, topic, partitions: [{ partition: 0, offset: '0' }] }), /no member/);
    } finally {
      await consumer.disconnect();
      await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    }
  });

  it('creates every topic with its dead-letter twin, the configured partitions, and a compacted account-state topic', async () => {
    await ensureTopics(kafka, config);
    const again = await ensureTopics(kafka, config);
    assert.deepEqual(again, [], 'a second run creates nothing');

    const names = topicSpecs(config).map((s) => s.topic);
    for (const topic of Object.values(TOPICS)) {
      assert.ok(names.includes(topic) && names.includes(deadLetterTopic(topic)), `${topic} or its .dlt is missing`);
    }
    const { topics } = await admin.fetchTopicMetadata({ topics: names });
    for (const t of topics) assert.equal(t.partitions.length, config.kafka.topicPartitions, `${t.name} partitions`);

    const described = await admin.describeConfigs({
      includeSynonyms: false,
      resources: names.map((name) => ({ type: ConfigResourceTypes.TOPIC, name, configNames: ['cleanup.policy'] })),
    });
    const policy = Object.fromEntries(described.resources.map((r) => [r.resourceName, r.configEntries[0]?.configValue]));
    assert.equal(policy[TOPICS.accountStateUpdated], 'compact');
    assert.equal(policy[TOPICS.paymentRequested], 'delete');
    assert.equal(policy[deadLetterTopic(TOPICS.accountStateUpdated)], 'delete');
  });
});
