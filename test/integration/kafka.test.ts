import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { ConfigResourceTypes, Partitioners, type Admin, type Kafka } from 'kafkajs';
import { loadConfig } from '../../config';
import { deadLetterTopic, TOPICS } from '../../contracts/topics';
import { createKafka } from '../../kafka/client';
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
