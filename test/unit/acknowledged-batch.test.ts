/**
 * kafka/acknowledged-batch.ts: a batch counts as written only when every partition it names answered. The fake
 * sender answers as KafkaJS 2.2.4 does after a retry that skipped a partition whose leader moved.
 */
import assert from 'node:assert/strict';
import type { RecordMetadata, TopicMessages } from 'kafkajs';
import { sendAcknowledgedBatch, UnacknowledgedBatchError, type BatchSender } from '../../kafka/acknowledged-batch';

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
