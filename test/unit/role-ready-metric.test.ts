import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { startObservabilityServer } from '../../observability/server';

describe('paysaga_role_ready on /metrics', () => {
  it('says, per role of the process, whether it is ready (1) or not (0), so an alert needs no blackbox probe', async () => {
    let workerReady = false;
    const server = await startObservabilityServer({
      port: 0,
      host: '127.0.0.1',
      roles: () => [
        { name: 'worker', ready: async () => workerReady },
        { name: 'bridge', ready: () => Promise.reject(new Error('Kafka down')) },
      ],
    });
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
    const scrape = async () => (await fetch(url)).text();
    try {
      let text = await scrape();
      assert.match(text, /^# TYPE paysaga_role_ready gauge$/m);
      assert.match(text, /^paysaga_role_ready\{role="worker"\} 0$/m);
      assert.match(text, /^paysaga_role_ready\{role="bridge"\} 0$/m);
      workerReady = true;
      text = await scrape();
      assert.match(text, /^paysaga_role_ready\{role="worker"\} 1$/m);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
