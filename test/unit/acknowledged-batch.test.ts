/**
 * kafka/acknowledged-batch.ts: a batch counts as written only when every partition it names answered. The fake
 * sender answers as KafkaJS 2.2.4 does after a retry that skipped a partition whose leader moved.
 */
import assert from 'node:assert/strict';
import { Partitioners, type Kafka, type RecordMetadata, type TopicMessages } from 'kafkajs';
import {
  KeyPartitioner,
  sendAcknowledgedBatch,
  UnacknowledgedBatchError,
  type BatchSender,
} from '../../kafka/acknowledged-batch';

const answer = (topicName: string, partition: number): RecordMetadata => ({
  topicName,
  partition,
  errorCode: 0,
  baseOffset: '0',
});

/** Answers for every partition of the batch except those in `skip`, and records what it was asked. */
function sender(skip: string[] = []): BatchSender & { acks: number[] } {
  const acks: number[] = [];
  return {
    acks,
    async sendBatch({ topicMessages, acks: a }) {
      acks.push(a);
      const partitions = new Set(topicMessages.flatMap((t) => t.messages.map((m) => `${t.topic}/${m.partition}`)));
      return [...partitions].filter((p) => !skip.includes(p)).map((p) => answer(p.split('/')[0]!, Number(p.split('/')[1])));
    },
  };
}

const batch: TopicMessages[] = [
  {
    topic: 'decided',
    messages: [
      { key: 'a', value: '1', partition: 0 },
      { key: 'b', value: '2', partition: 1 },
    ],
  },
  { topic: 'requested', messages: [{ key: 'c', value: '3', partition: 1 }] },
];

describe('sendAcknowledgedBatch (kafka/acknowledged-batch.ts)', () => {
  it('resolves with the answers when every partition of the batch answered, sent with acks=all', async () => {
    const s = sender();
    assert.equal((await sendAcknowledgedBatch(s, batch)).length, 3);
    assert.deepEqual(s.acks, [-1]);
  });

  it('fails, naming the partition, when the answers leave one out, though KafkaJS resolved the call', async () => {
    await assert.rejects(sendAcknowledgedBatch(sender(['decided/1']), batch), (err: unknown) => {
      assert.ok(err instanceof UnacknowledgedBatchError);
      assert.deepEqual(err.partitions, ['decided/1']);
      return true;
    });
  });

  it('refuses a message that names no partition: there would be nothing to check its answer against', async () => {
    await assert.rejects(
      sendAcknowledgedBatch(sender(), [{ topic: 'decided', messages: [{ key: 'a', value: '1' }] }]),
      /a message for decided names no partition/,
    );
  });
});

describe('KeyPartitioner (kafka/acknowledged-batch.ts)', () => {
  /** A Kafka client whose admin reports `counts` partitions, one answer after another, and counts the asks. */
  const kafkaWith = (...counts: number[]) => {
    const asked = { n: 0 };
    const kafka = {
      admin: () => ({
        connect: async () => undefined,
        disconnect: async () => undefined,
        fetchTopicMetadata: async () => ({
          topics: [
            { name: 't', partitions: Array.from({ length: counts[asked.n++] ?? 0 }, (_, partitionId) => ({ partitionId })) },
          ],
        }),
      }),
    } as unknown as Kafka;
    return { kafka, asked };
  };

  it('names the partition KafkaJS would pick for each key, reading the topic once', async () => {
    const { kafka, asked } = kafkaWith(3);
    const partitioner = new KeyPartitioner(kafka);
    const keys = Array.from({ length: 20 }, (_, i) => `acc-${i}`);
    const assigned = await partitioner.assign(
      't',
      keys.map((key) => ({ key, value: 'v' })),
    );
    await partitioner.assign('t', [{ key: 'again', value: 'v' }]);
    const kafkaJs = Partitioners.DefaultPartitioner();
    const metadata = [0, 1, 2].map((partitionId) => ({ partitionId, leader: 0, partitionErrorCode: 0, replicas: [], isr: [] }));
    assert.deepEqual(
      assigned.map((m) => m.partition),
      keys.map((key) => kafkaJs({ topic: 't', partitionMetadata: metadata, message: { key, value: 'v' } })),
    );
    assert.equal(new Set(assigned.map((m) => m.partition)).size, 3, 'the keys spread over every partition');
    assert.equal(asked.n, 1);
  });

  it('refuses a topic without partitions and asks again next time, when it may exist', async () => {
    const { kafka, asked } = kafkaWith(0, 2);
    const partitioner = new KeyPartitioner(kafka);
    await assert.rejects(partitioner.assign('t', [{ key: 'a', value: 'v' }]), /topic t has no partitions/);
    const [m] = await partitioner.assign('t', [{ key: 'a', value: 'v' }]);
    assert.ok(m!.partition === 0 || m!.partition === 1);
    assert.equal(asked.n, 2);
  });
});
