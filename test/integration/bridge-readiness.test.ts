/**
 * The api's readiness includes the bridge (kafka/lag.ts checkGroupsConsuming, asked of the real broker): while
 * a group has no member consuming, the check fails naming it; once a consumer has joined it passes; when the
 * consumer leaves it fails again. That is what /health/ready of an api process reports wherever the bridge runs.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { loadConfig } from '../../config';
import { TOPICS } from '../../contracts/topics';
import { createKafka } from '../../kafka/client';
import { checkGroupsConsuming } from '../../kafka/lag';
import { eventually } from '../eventually';

describe("the api's readiness sees whether the bridge's consumer groups consume", function () {
  this.timeout(60_000);

  it('fails while a group has no member, passes once one consumes, fails again when it leaves', async () => {
    const kafka = createKafka(loadConfig(), 'test');
    const admin = kafka.admin();
    await admin.connect();
    const groupId = `readiness-${randomUUID().slice(0, 8)}`;
    // A short fetch wait: leaving the group waits out the fetch in flight (5 s by KafkaJS's default).
    const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1_000, maxWaitTimeInMs: 100 });
    try {
      await assert.rejects(checkGroupsConsuming(admin, [groupId]), new RegExp(`consumer group ${groupId} is not consuming`));
      await consumer.connect();
      await consumer.subscribe({ topic: TOPICS.accountStateUpdated, fromBeginning: false });
      await consumer.run({ eachMessage: async () => {} });
      await eventually(
        'the group consuming',
        () =>
          checkGroupsConsuming(admin, [groupId]).then(
            () => true,
            () => false,
          ),
        30_000,
      );
      await consumer.disconnect();
      await assert.rejects(checkGroupsConsuming(admin, [groupId]), /is not consuming \(state Empty, 0 member/);
    } finally {
      await consumer.disconnect();
      await admin.disconnect();
    }
  });
});
