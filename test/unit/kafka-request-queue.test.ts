/**
 * kafka/request-queue-fix.ts: KafkaJS 2.2.4's request queue, once a connection has had an answer, checks its pending
 * requests in a timer loop forever, with nothing pending. Patched, it checks only while a request is pending or the
 * queue is throttled, and a request queued behind a throttle is still sent when the throttle ends.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import RequestQueue from 'kafkajs/src/network/requestQueue';
import { fixKafkaRequestQueueLoop } from '../../kafka/request-queue-fix';

interface Queue {
  push(request: { entry: Record<string, unknown>; expectResponse: boolean; sendRequest: () => void }): void;
  fulfillRequest(response: { correlationId: number; payload: Buffer; size: number }): void;
  checkPendingRequests(): void;
  maybeThrottle(ms: number): void;
  destroy(): void;
}

const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const newQueue = () =>
  new (RequestQueue as unknown as new (opts: object) => Queue)({
    maxInFlightRequests: 1,
    requestTimeout: 30_000,
    enforceRequestTimeout: false,
    clientId: 'test',
    broker: 'broker-1',
    logger: quiet,
  });
const request = (correlationId: number, sent: number[]) => ({
  entry: { correlationId, apiKey: 3, apiName: 'Metadata', apiVersion: 6, resolve: () => undefined, reject: () => undefined },
  expectResponse: true,
  sendRequest: () => void sent.push(correlationId),
});

describe("KafkaJS's request queue (kafka/request-queue-fix.ts)", () => {
  it('is patched once, in every process that makes a Kafka client', () => {
    assert.equal(fixKafkaRequestQueueLoop(), true);
  });

  it('checks for pending requests no more once an answer leaves nothing pending (KafkaJS 2.2.4: a 1 ms loop)', async () => {
    const queue = newQueue();
    const sent: number[] = [];
    let checks = 0;
    const check = queue.checkPendingRequests.bind(queue);
    queue.checkPendingRequests = () => {
      checks++;
      check();
    };
    try {
      queue.push(request(1, sent));
      queue.fulfillRequest({ correlationId: 1, payload: Buffer.alloc(0), size: 0 });
      await sleep(200);
      assert.deepEqual(sent, [1]);
      assert.ok(checks <= 2, `${checks} checks in 200 ms with nothing pending`);
    } finally {
      queue.destroy();
    }
  });

  it('still sends a request queued behind a throttle once the throttle ends', async () => {
    const queue = newQueue();
    const sent: number[] = [];
    try {
      queue.maybeThrottle(50);
      queue.push(request(7, sent));
      assert.deepEqual(sent, [], 'held while throttled');
      await sleep(150);
      assert.deepEqual(sent, [7]);
    } finally {
      queue.destroy();
    }
  });

  it('still sends a request queued behind one in flight once that one is answered', async () => {
    const queue = newQueue();
    const sent: number[] = [];
    try {
      queue.push(request(1, sent));
      queue.push(request(2, sent));
      assert.deepEqual(sent, [1], 'one in flight at most');
      queue.fulfillRequest({ correlationId: 1, payload: Buffer.alloc(0), size: 0 });
      await sleep(20);
      assert.deepEqual(sent, [1, 2]);
    } finally {
      queue.destroy();
    }
  });
});
