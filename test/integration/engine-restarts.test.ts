/**
 * Every role rides out a restart of each engine by itself (DESIGN.md §7.9): paysaga runs as one process of all
 * roles, as `npm start` runs it; each engine is stopped while work for it is under way (a record being retried,
 * an outbox row waiting, a signal that cannot be sent), kept down past the consumers' 10 s group session, and
 * started again. Every payment is then decided, the process never exited, it is live and ready again, and it
 * stops on Ctrl-C sent to its process group.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { AccountState } from '../../contracts/payment';
import { createKafka } from '../../kafka/client';
import { publishFeed } from '../../tools/legacy/feed';
import { ROLE_NAMES } from '../../roles';
import { stackDown, stackUp } from '../../tools/stack';
import { eventually, sleep } from '../eventually';
import { skipBacklog, SYSTEM_TOKENS, SystemProcess, systemEnv } from './system-process';
import { contractFetch } from '../api-contract';

/** Longer than the consumers' group session (10 s): a member that sent no heartbeat meanwhile is gone. */
const DOWN_MS = 12_000;

describe('engine restarts: every role rides out a restart of PostgreSQL, Kafka and Temporal', function () {
  this.timeout(600_000);
  let system: SystemProcess;
  const merchantId = `m-restart-${randomUUID().slice(0, 8)}`;
  /** Payments of this suite authorized so far: the merchant's total must count each once. */
  let authorized = 0;

  before(async () => {
    system = new SystemProcess(await systemEnv({ ACCOUNT_STATE_DEADLINE: '5m' }), ['run', ROLE_NAMES.join(',')]);
    await skipBacklog(system.config);
    system.start();
    await system.ready();
  });

  after(async () => {
    await stackUp(system.config); // whatever a failed test left down, the next suites need it
    if (system.running) await system.stop('SIGKILL');
  });

  const auth = (token: string) => ({ authorization: `Bearer ${token}` });

  async function postPayments(accountIds: string[]): Promise<string[]> {
    assert.ok(system.running, `the process is running:\n${system.output.slice(-4_000)}`);
    const ids: string[] = [];
    for (const accountId of accountIds) {
      for (let i = 0; i < 3; i++) {
        const res = await contractFetch(`${system.apiUrl}/payments`, {
          method: 'POST',
          headers: { ...auth(SYSTEM_TOKENS.client), 'idempotency-key': randomUUID(), 'content-type': 'application/json' },
          body: JSON.stringify({ accountId, merchantId, amount: 1_000 + i, currency: 'EUR' }),
        });
        const body = await res.text();
        assert.equal(res.status, 202, body);
        ids.push((JSON.parse(body) as { paymentId: string }).paymentId);
      }
    }
    return ids;
  }

  const freshStates = (accountIds: string[]): AccountState[] =>
    accountIds.map((accountId) => ({
      accountId,
      version: 1,
      asOf: new Date(Date.now() + 60_000).toISOString(),
      status: 'active' as const,
      balance: 100_000,
      currency: 'EUR',
    }));

  const publishStates = (accountIds: string[]) => publishFeed(createKafka(system.config, 'test'), freshStates(accountIds));

  async function expectAllAuthorized(paymentIds: string[]): Promise<void> {
    for (const id of paymentIds) {
      const view = await eventually(
        `payment ${id} decided`,
        async () => {
          if (!system.running) throw new Error(`the system exited:\n${system.output.slice(-4_000)}`);
          const res = await contractFetch(`${system.apiUrl}/payments/${id}`, { headers: auth(SYSTEM_TOKENS.client) }).catch(
            () => undefined,
          );
          const body =
            res?.status === 200 ? ((await res.json()) as { decision: string | null; reason: string | null }) : undefined;
          return body?.decision ? body : undefined;
        },
        180_000,
      );
      assert.deepEqual([view.decision, view.reason], ['AUTHORIZED', 'APPROVED'], `payment ${id}`);
      authorized++;
    }
  }

  async function expectLiveAndReady(): Promise<void> {
    assert.ok(system.running, `the process is still running:\n${system.output.slice(-4_000)}`);
    assert.equal((await fetch(`${system.healthUrl}/live`)).status, 200);
    await system.ready(120_000);
  }

  const restart = async (engine: string, whileDown: () => Promise<void>) => {
    await stackDown(system.config, [engine]);
    await whileDown();
    await sleep(DOWN_MS);
    await stackUp(system.config);
  };

  const accounts = () => Array.from({ length: 4 }, () => `acc-restart-${randomUUID().slice(0, 8)}`);

  it('PostgreSQL restarted while the bridge records account state: nothing exits, every payment is decided', async () => {
    const accountIds = accounts();
    const payments = await postPayments(accountIds);
    await restart('postgres', () => publishStates(accountIds));
    await expectAllAuthorized(payments);
    await expectLiveAndReady();
  });

  it('PostgreSQL restarted, twice, under a stream of POST /payments: the api answers errors meanwhile, never exits', async () => {
    // Twenty clients posting without pause: connections are checked out between their statements when the server
    // terminates them, which once ended the process ("Unhandled 'error' event" on a pg client, db/pool.ts).
    let stop = false;
    const answers = new Map<number, number>();
    const client = async () => {
      while (!stop) {
        const res = await fetch(`${system.apiUrl}/payments`, {
          method: 'POST',
          headers: { ...auth(SYSTEM_TOKENS.client), 'idempotency-key': randomUUID(), 'content-type': 'application/json' },
          body: JSON.stringify({ accountId: `acc-stream-${randomUUID().slice(0, 4)}`, merchantId, amount: 100, currency: 'EUR' }),
        }).catch(() => undefined);
        answers.set(res?.status ?? 0, (answers.get(res?.status ?? 0) ?? 0) + 1);
        await res?.text();
        if (!res) await sleep(50);
      }
    };
    const clients = Array.from({ length: 20 }, client);
    try {
      for (let round = 0; round < 2; round++) {
        await sleep(2_000);
        await stackDown(system.config, ['postgres']);
        await sleep(1_000);
        await stackUp(system.config);
      }
      await sleep(3_000);
    } finally {
      stop = true;
      await Promise.all(clients);
    }
    assert.ok(system.running, `the process is still running:\n${system.output.slice(-4_000)}`);
    assert.ok((answers.get(202) ?? 0) > 0, `payments were accepted: ${JSON.stringify([...answers])}`);
    await expectLiveAndReady();
  });

  it('Kafka restarted while payments wait in the outbox: requests flow again and merchant totals keep counting', async () => {
    const accountIds = accounts();
    let payments: string[] = [];
    await restart('kafka', async () => {
      payments = await postPayments(accountIds);
    });
    await publishStates(accountIds);
    await expectAllAuthorized(payments);
    await expectLiveAndReady();
    // The merchant totals are part of readiness: followed and caught up again after the broker came back.
    const totals = await eventually(
      'merchant totals count the payments decided after the restart',
      async () => {
        const res = await contractFetch(`${system.apiUrl}/merchants/${merchantId}/totals`, {
          headers: auth(SYSTEM_TOKENS.operator),
        });
        const body =
          res.status === 200 ? ((await res.json()) as { totals: { currency: string; authorizedCount: number }[] }) : undefined;
        const eur = body?.totals.find((t) => t.currency === 'EUR');
        return eur && eur.authorizedCount >= authorized ? eur : undefined;
      },
      120_000,
    );
    assert.equal(totals.authorizedCount, authorized, 'each authorized payment counted once');
  });

  it('Temporal restarted while the bridge signals waiting payments: the bridge keeps its partitions and every payment is decided', async () => {
    const accountIds = accounts();
    const payments = await postPayments(accountIds);
    await sleep(2_000); // the sagas start and wait for state
    await restart('temporal', () => publishStates(accountIds));
    await expectAllAuthorized(payments);
    await expectLiveAndReady();
  });

  it('stops within seconds on Ctrl-C sent to its process group, with exit code 0', async () => {
    const t0 = Date.now();
    assert.equal(await system.stop('SIGINT', 60_000), 0, system.output.slice(-4_000));
    assert.ok(Date.now() - t0 < 60_000);
    assert.match(system.output, /paysaga: SIGINT, stopping[\s\S]*paysaga: stopped/);
  });
});
