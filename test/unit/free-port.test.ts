/**
 * tools/stack/proc.ts freePort(): the ports the tooling hands to listeners it starts (and restarts) later. An
 * outgoing connection holds a port of the kernel's ephemeral range, and while it lives no listener can bind that
 * port: a role killed by the fault suite could not come back on its METRICS_PORT once a reconnecting database
 * pool had taken it, and restarted in a loop for the rest of the run. freePort() therefore picks outside that
 * range.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { ephemeralPortRange, freePort, freePortPair } from '../../tools/stack/proc';

const listen = (port: number) =>
  new Promise<net.Server>((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
const close = (server: net.Server) => new Promise((r) => server.close(r));

describe('freePort (tools/stack/proc.ts)', () => {
  it('a port an outgoing connection uses cannot be listened on: why the range matters', async () => {
    const target = await listen(0);
    const socket = net.connect((target.address() as net.AddressInfo).port, '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    try {
      const [low, high] = ephemeralPortRange();
      assert.ok(socket.localPort! >= low && socket.localPort! <= high, `${socket.localPort} in ${low}–${high}`);
      await assert.rejects(listen(socket.localPort!), { code: 'EADDRINUSE' });
    } finally {
      socket.destroy();
      await close(target);
    }
  });

  it('picks ports outside the ephemeral range, never the same twice, each one free to listen on', async () => {
    const [low, high] = ephemeralPortRange();
    const ports = await Promise.all(Array.from({ length: 40 }, () => freePort()));
    assert.equal(new Set(ports).size, ports.length);
    for (const port of ports) {
      assert.ok(port >= 20_000 && port <= 65_535 && (port < low || port > high), `${port} outside ${low}–${high}`);
      await close(await listen(port));
    }
  });

  it('freePortPair gives two free ports in a row, for a role and its second instance, neither handed out again', async () => {
    const first = await freePortPair();
    const a = await listen(first);
    const b = await listen(first + 1);
    await Promise.all([close(a), close(b)]);
    const later = await Promise.all(Array.from({ length: 40 }, () => freePort()));
    assert.ok(!later.includes(first) && !later.includes(first + 1));
  });
});
