/**
 * kafka/supervised-consumer.ts with a stand-in for KafkaJS's consumer (the unit tier fakes the network): a
 * crash that KafkaJS will not restart from is met with a new consumer of the same group; a crash KafkaJS
 * restarts itself is left to it; replacing that keeps failing past the limit is reported fatal; stop() ends the
 * wait between two replacements.
 */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { Consumer, Kafka } from 'kafkajs';
import { SupervisedConsumer } from '../../kafka/supervised-consumer';
import { configureLogging } from '../../observability/logger';
import { eventually } from '../eventually';

class FakeConsumer extends EventEmitter {
  readonly events = { CRASH: 'consumer.crash', GROUP_JOIN: 'consumer.group_join' };
  connected = false;
  constructor(private readonly failConnect: boolean) {
    super();
  }
  async connect() {
    if (this.failConnect) throw new Error('connect ECONNREFUSED');
    this.connected = true;
  }
  async disconnect() {
    this.connected = false;
  }
  crash(restart: boolean) {
    this.emit(this.events.CRASH, { payload: { error: new Error('The coordinator is not aware of this member'), restart } });
  }
}

function fakeKafka(failFrom = Infinity) {
  const made: FakeConsumer[] = [];
  const kafka = {
    consumer: () => {
      const c = new FakeConsumer(made.length >= failFrom);
      made.push(c);
      return c as unknown as Consumer;
    },
  } as unknown as Kafka;
  return { kafka, made };
}

describe('SupervisedConsumer: a consumer that KafkaJS gives up on is replaced', () => {
  // Crashes and the fatal report are logged on purpose; quiet here.
  before(() => configureLogging({ level: 'silent', format: 'json' }));
  after(() => configureLogging({ level: 'info', format: 'json' }));

  it('replaces a consumer after a crash KafkaJS will not restart from, and runs the new one', async () => {
    const { kafka, made } = fakeKafka();
    const runs: Consumer[] = [];
    const supervised = new SupervisedConsumer(kafka, {
      name: 'g',
      config: { groupId: 'g' },
      run: async (c) => void runs.push(c),
    });
    await supervised.start();
    assert.equal(supervised.healthy, true);
    made[0]!.crash(true); // KafkaJS restarts this one itself
    assert.equal(made.length, 1);
    made[0]!.crash(false);
    await eventually('a replacement', async () => supervised.replacements === 1);
    assert.equal(made.length, 2);
    assert.equal(runs.length, 2);
    assert.equal(runs[1], made[1] as unknown as Consumer);
    assert.equal(supervised.healthy, true);
    made[0]!.crash(false); // a late event of the old consumer changes nothing
    assert.equal(made.length, 2);
    await supervised.stop();
    assert.equal(made[1]!.connected, false);
  });

  it('reports the role fatal when replacing keeps failing past its limit', async () => {
    const { kafka, made } = fakeKafka(1);
    const fatal: string[] = [];
    const supervised = new SupervisedConsumer(kafka, {
      name: 'g2',
      config: { groupId: 'g2' },
      run: async () => {},
      giveUpAfterMs: 200,
      onFatal: (who, err) => void fatal.push(`${who}: ${(err as Error).message}`),
    });
    await supervised.start();
    made[0]!.crash(false);
    assert.equal(supervised.healthy, false);
    await eventually('the fatal report', async () => fatal.length === 1, 10_000);
    assert.deepEqual(fatal, ['kafka consumer g2: connect ECONNREFUSED']);
    assert.ok(made.length >= 2, 'it tried to replace it');
  });

  it('stops at once while it waits between two failed replacements, instead of waiting the backoff out', async function () {
    this.timeout(15_000);
    const { kafka, made } = fakeKafka(1);
    const supervised = new SupervisedConsumer(kafka, { name: 'g3', config: { groupId: 'g3' }, run: async () => {} });
    await supervised.start();
    made[0]!.crash(false);
    await eventually('four failed replacements (the next wait is 4 s)', async () => made.length >= 5, 10_000);
    const started = performance.now();
    await supervised.stop();
    const tookMs = performance.now() - started;
    const replacements = made.length;
    assert.ok(tookMs < 2_000, `stop() took ${Math.round(tookMs)} ms`);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(made.length, replacements, 'it went on replacing after stop()');
  });
});
