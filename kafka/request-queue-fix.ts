/**
 * KafkaJS 2.2.4 (the last release) keeps every broker connection in a timer loop: once a connection has had an
 * answer, its request queue schedules a check of its pending requests with a negative delay even when nothing is
 * pending or throttled, and each check schedules the next, about a thousand timers a second per connection, forever
 * (tulios/kafkajs#1556 and #1704; the fix, #1667, was never merged). Every paysaga role has several connections:
 * idle, each role spent about 20 ms of CPU a second on it, and under load the loop competes with the records
 * (docs/performance.md). Patched here, once per process, before any client is made: a check is scheduled only while
 * a request is pending (then as KafkaJS does) or the queue is throttled; with nothing pending there is nothing to
 * check, and a request that cannot be sent at once schedules its own check when it is queued.
 */
import RequestQueue from 'kafkajs/src/network/requestQueue';

interface QueueState {
  pending: unknown[];
  throttledUntil: number;
}

const PATCHED = Symbol.for('paysaga.kafkajs.requestQueueFix');
const proto = RequestQueue.prototype as unknown as Record<PropertyKey, unknown> & {
  scheduleCheckPendingRequests(this: QueueState): void;
};

/** Applies the fix (idempotent); returns whether KafkaJS's request queue has the method it patches. */
export function fixKafkaRequestQueueLoop(): boolean {
  if (proto[PATCHED]) return true;
  const original = proto.scheduleCheckPendingRequests;
  if (typeof original !== 'function') return false; // a KafkaJS without it: nothing to fix
  proto.scheduleCheckPendingRequests = function (this: QueueState) {
    if (this.pending.length === 0 && this.throttledUntil <= Date.now()) return;
    original.call(this);
  };
  proto[PATCHED] = true;
  return true;
}

fixKafkaRequestQueueLoop();
