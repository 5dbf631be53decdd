/**
 * Reprocessing a dead-letter topic (docs/runbook.md): `npm run dlt -- list <topic>` shows each dead letter
 * with its reason; `replay` publishes the original record again to its topic, once, and a second replay
 * sends nothing new.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Partitioners } from 'kafkajs';
import { loadConfig } from '../../config';
import { EVENT_TYPES } from '../../contracts/events';
import { TOPICS } from '../../contracts/topics';
import { createKafka } from '../../kafka/client';
import { EventConsumer } from '../../kafka/consumer';
import { listDeadLetters, replayDeadLetters } from '../../kafka/dead-letters';
import { readToEnd } from '../../kafka/read-to-end';
import { ensureTopics } from '../../kafka/topics';
import { eventually } from '../eventually';
import { startGroupAtEnd } from '../kafka-groups';

describe('dead letters: list and replay (real Kafka)', function () {
  this.timeout(120_000);
  const config = loadConfig({ ...process.env, KAFKA_CLIENT_ID: `paysaga-test-dlt-${randomUUID().slice(0, 8)}` });
  const kafka = createKafka(config, 'test');
  const key = `acc-dlt-${randomUUID()}`;
  const poison = `{"type":"payment.authorization.requested","version":1,"id":"${randomUUID()}"`; // cut off

  it('lists a poison record with its reason, replays it once to its topic, and not again', async () => {
    await ensureTopics(kafka, config);
    const group = `${config.kafka.clientId}-consumer`;
    const consumer = new EventConsumer(kafka, {
      type: EVENT_TYPES.paymentRequested,
      topic: TOPICS.paymentRequested,
      groupId: group,
      handle: async () => undefined,
    });
    // Starts at the end of the topic: a new group reads from the beginning, so mark it positioned first.
    await startGroupAtEnd(kafka, group, TOPICS.paymentRequested);
    await consumer.start();
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    await producer.send({ topic: TOPICS.paymentRequested, messages: [{ key, value: poison, headers: { source: 'test' } }] });
    await producer.disconnect();
    await eventually('dead-lettered', async () => consumer.counts.deadLettered === 1, 30_000);
    await consumer.stop();

    const listed = (await listDeadLetters(kafka, TOPICS.paymentRequested, config.kafka.clientId)).filter((l) => l.key === key);
    assert.equal(listed.length, 1);
    assert.match(listed[0]!.reason, /not JSON/);
    assert.equal(listed[0]!.group, group);

    const replayed = (await replayDeadLetters(kafka, TOPICS.paymentRequested, config.kafka.clientId)).filter(
      (l) => l.key === key,
    );
    assert.equal(replayed.length, 1);
    const copies: { value: string; source: string; from: string }[] = [];
    await readToEnd(kafka, {
      topics: [TOPICS.paymentRequested],
      groupPrefix: `${config.kafka.clientId}-check`,
      eachMessage: async ({ message }) => {
        if (message.key?.toString() !== key) return;
        copies.push({
          value: message.value?.toString() ?? '',
          source: message.headers?.source?.toString() ?? '',
          from: message.headers?.['dlt-replayed-from']?.toString() ?? '',
        });
      },
    });
    assert.deepEqual(
      copies.map((c) => [c.value, c.source, c.from !== '']),
      [
        [poison, 'test', false],
        [poison, 'test', true],
      ],
      'the original, then its replay with the original bytes and headers',
    );
    // (A consumer still running elsewhere may dead-letter the replayed copy again: that is a new dead letter.)
    const again = (await replayDeadLetters(kafka, TOPICS.paymentRequested, config.kafka.clientId)).filter(
      (l) => l.key === key && l.original.offset === listed[0]!.original.offset,
    );
    assert.deepEqual(again, [], 'a second replay does not send the same dead letter again');
  });
});
