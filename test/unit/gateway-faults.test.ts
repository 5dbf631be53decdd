import assert from 'node:assert/strict';
import { FaultInjector } from '../../gateway/faults';

describe('gateway fault injection', () => {
  it('plays the scripted faults in order, then none', () => {
    const faults = new FaultInjector({ next: ['fail', 'drop-response', 'timeout'] }, () => 0.99);
    assert.deepEqual(
      [faults.nextFault(), faults.nextFault(), faults.nextFault(), faults.nextFault()],
      ['fail', 'drop-response', 'timeout', undefined],
    );
  });

  it('draws faults at random by their rates once the script is used up', () => {
    // Each request draws for errorRate, then timeoutRate, then dropResponseRate, and stops at the first hit.
    const draws = [0.05, 0.5, 0.05, 0.5, 0.5, 0.05, 0.5, 0.5, 0.5];
    const faults = new FaultInjector({ errorRate: 0.1, timeoutRate: 0.1, dropResponseRate: 0.1 }, () => draws.shift() ?? 1);
    assert.deepEqual(
      [faults.nextFault(), faults.nextFault(), faults.nextFault(), faults.nextFault()],
      ['fail', 'timeout', 'drop-response', undefined],
    );
    assert.deepEqual(draws, []);
  });

  it('rejects invalid settings with the field named, and keeps the previous ones', () => {
    const faults = new FaultInjector({ latencyMs: 10 });
    assert.throws(() => faults.set({ errorRate: 2 }), /errorRate/);
    assert.throws(() => faults.set({ next: ['explode'] }), /next/);
    assert.throws(() => faults.set({ unknownFault: true }), /unknownFault/);
    assert.equal(faults.current.latencyMs, 10);
  });

  it('declines the configured accounts only', () => {
    const faults = new FaultInjector({ declineAccountIds: ['acc-stolen-card'] });
    assert.equal(faults.declines('acc-stolen-card'), true);
    assert.equal(faults.declines('acc-1'), false);
  });
});
