/**
 * Merchants tied to callers: a client token that lists merchants creates payments for those only (403
 * otherwise); a token without a list acts for any merchant, as a platform does. The api alone on a real
 * PostgreSQL (no saga is involved in accepting a payment).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import { createApiApp } from '../../api/app';
import { loadConfig } from '../../config';
import { migrate } from '../../db/migrate';
import { createPool, type Pool } from '../../db/pool';
import { listen } from '../../roles/listen';
import { temporalConnectionOptions } from '../../temporal/connection';
import { contractFetch } from '../api-contract';

const SHOP = 'shop-token-with-merchants-0123456789';
const PLATFORM = 'platform-token-any-merchant-0123456789';

describe('merchants tied to client tokens (real PostgreSQL)', function () {
  this.timeout(30_000);
  const config = loadConfig({
    ...process.env,
    API_TOKENS: JSON.stringify([
      { token: SHOP, subject: `shop-${randomUUID().slice(0, 8)}`, roles: ['client'], merchants: ['m-1', 'm-2'] },
      { token: PLATFORM, subject: `platform-${randomUUID().slice(0, 8)}`, roles: ['client'] },
    ]),
  });
  let pool: Pool;
  let client: Client;
  let server: Server;
  let url: string;

  before(async () => {
    pool = createPool(config);
    await migrate(pool);
    client = new Client({ connection: Connection.lazy(temporalConnectionOptions(config)), namespace: config.temporal.namespace });
    server = await listen(createApiApp({ pool, client, config }), 0);
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r));
    await client?.connection.close();
    await pool?.end();
  });

  const create = (token: string, merchantId: string) =>
    contractFetch(`${url}/payments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'idempotency-key': randomUUID() },
      body: JSON.stringify({ accountId: `acc-${randomUUID()}`, merchantId, amount: 1_000, currency: 'EUR' }),
    });

  it('refuses a merchant the token does not list with 403 problem+json, and accepts the ones it lists', async () => {
    const refused = await create(SHOP, 'm-3');
    assert.equal(refused.status, 403);
    assert.match(refused.headers.get('content-type') ?? '', /application\/problem\+json/);
    assert.deepEqual(await refused.json(), {
      type: 'about:blank',
      title: 'merchant not allowed',
      status: 403,
      detail: 'this token may not create payments for merchant m-3',
    });
    assert.equal((await create(SHOP, 'm-1')).status, 202);
    assert.equal((await create(SHOP, 'm-2')).status, 202);
  });

  it('lets a token without a merchant list create payments for any merchant', async () => {
    assert.equal((await create(PLATFORM, 'm-3')).status, 202);
    assert.equal((await create(PLATFORM, `m-${randomUUID().slice(0, 8)}`)).status, 202);
  });
});
