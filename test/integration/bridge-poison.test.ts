/**
 * Records that pass for valid but that no retry can fix: the bridge dead-letters them with their reason and
 * moves on, so the accounts behind them on the same partition are not held up. Only unavailability of an
 * engine is retried (real Kafka, Temporal dev server and PostgreSQL).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Partitioners, type KafkaMessage } from 'kafkajs';
import { bridgeGroupIds } from '../../bridge';
import { EVENT_TYPES } from '../../contracts/events';
import { deadLetterTopic, TOPICS, type Topic } from '../../contracts/topics';
import { eventually } from '../eventually';
import { pipelineForSuite } from './pipeline-harness';

describe('bridge: poison records are dead-lettered, the partition moves on (real engines)', function () {
  this.timeout(60_000);
  const h = pipelineForSuite();

  /** Publishes each (data) as the data of an envelope of `type`, keyed by `key`, in order. */
  async function publish(topic: Topic, type: string, key: string, records: unknown[]): Promise<void> {
    const producer = h.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await producer.connect();
    try {
      for (const data of records)
        await producer.send({
          topic,
          acks: -1,
          messages: [
            { key, value: JSON.stringify({ type, version: 1, id: randomUUID(), occurredAt: new Date().toISOString(), data }) },
          ],
        });
    } finally {
      await producer.disconnect();
    }
  }

  /** The dead letters the bridge's `group` wrote for records keyed `key` (read from the start of the topic). */
  async function deadLetters(
    topic: Topic,
    group: string,
    key: string,
    count: number,
  ): Promise<{ reason: string; value: string }[]> {
    const letters: { reason: string; value: string }[] = [];
    // A short fetch wait: the disconnect waits out the fetch in flight (5 s by KafkaJS's default).
    const reader = h.kafka.consumer({ groupId: `dlt-reader-${randomUUID()}`, maxWaitTimeInMs: 100 });
    await reader.connect();
    await reader.subscribe({ topic: deadLetterTopic(topic), fromBeginning: true });
    const header = (m: KafkaMessage, name: string) => m.headers?.[name]?.toString() ?? '';
    await reader.run({
      eachMessage: async ({ message }) => {
        if (message.key?.toString() !== key || header(message, 'dlt-consumer-group') !== group) return;
        letters.push({ reason: header(message, 'dlt-reason'), value: message.value?.toString() ?? '' });
      },
    });
    try {
      await eventually(
        `${count} dead letters of ${key} on ${deadLetterTopic(topic)}`,
        async () => letters.length >= count,
        30_000,
      );
    } finally {
      await reader.disconnect();
    }
    return letters;
  }

  it('dead-letters account states that PostgreSQL or the contract rejects, and records the valid one behind them', async () => {
    const accountId = h.accountId();
    const valid = h.accountState(accountId);
    await publish(TOPICS.accountStateUpdated, EVENT_TYPES.accountStateUpdated, accountId, [
      { ...valid, asOf: '0000-01-01T00:00:00Z' }, // a date PostgreSQL cannot store
      { ...valid, asOf: '1500-01-01T00:00:00Z' }, // storable, but no legacy snapshot is that old
      { ...valid, balance: 2 ** 63 }, // past int8
      { ...valid, accountId: `${accountId}\u0000` }, // a NUL byte PostgreSQL cannot store in text
      valid,
    ]);
    await eventually('the valid state behind the poison recorded', async () => {
      const { rows } = await h.pool.query<{ as_of: Date }>('select as_of from account_states where account_id = $1', [accountId]);
      return rows[0]?.as_of.toISOString() === valid.asOf;
    });
    const letters = await deadLetters(TOPICS.accountStateUpdated, bridgeGroupIds(h.config).accounts, accountId, 4);
    assert.equal(letters.length, 4);
    assert.match(letters[0]!.reason, /asOf/);
    assert.match(letters[1]!.reason, /asOf/);
    assert.match(letters[2]!.reason, /balance/);
    assert.match(letters[3]!.reason, /accountId/);
    assert.match(letters[0]!.value, /0000-01-01T00:00:00Z/, 'the original bytes');
  });

  it('dead-letters payment requests that PostgreSQL or the contract rejects, and decides the valid one behind them', async () => {
    const accountId = h.accountId();
    await h.publishAccountStates(h.accountState(accountId));
    const valid = h.paymentRequest(accountId, { amount: 100 });
    const poison = (overrides: Record<string, unknown>) => ({ ...valid, paymentId: `pay-${randomUUID()}`, ...overrides });
    await publish(TOPICS.paymentRequested, EVENT_TYPES.paymentRequested, accountId, [
      poison({ requestedAt: '0000-01-01T00:00:00Z' }),
      poison({ requestedAt: '2999-01-01T00:00:00Z' }), // a saga that would wait for centuries
      poison({ amount: 2 ** 63 }),
      poison({ merchantId: 'm-\u0000' }),
    ]);
    await h.publishRequest(valid);
    assert.equal((await h.decision(valid.paymentId)).decision, 'AUTHORIZED');
    const letters = await deadLetters(TOPICS.paymentRequested, bridgeGroupIds(h.config).requests, accountId, 4);
    assert.equal(letters.length, 4);
    assert.match(letters[0]!.reason, /requestedAt/);
    assert.match(letters[1]!.reason, /requestedAt/);
    assert.match(letters[2]!.reason, /amount/);
    assert.match(letters[3]!.reason, /merchantId/);
  });
});
