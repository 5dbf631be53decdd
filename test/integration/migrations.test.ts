import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { loadConfig } from '../../config';
import { migrate, readMigrations } from '../../db/migrate';
import { createPool } from '../../db/pool';

describe('database migrations (real PostgreSQL)', function () {
  this.timeout(30_000);
  const base = loadConfig();
  const database = `paysaga_migrate_test_${process.pid}`;
  const url = new URL(base.database.url);
  const admin = new pg.Client({ connectionString: base.database.url });
  let pool: pg.Pool;

  before(async () => {
    await admin.connect();
    await admin.query(`drop database if exists ${database}`);
    await admin.query(`create database ${database}`);
    url.pathname = `/${database}`;
    pool = createPool({ ...base, database: { ...base.database, url: url.toString() } });
  });

  after(async () => {
    await pool?.end();
    await admin.query(`drop database if exists ${database}`);
    await admin.end();
  });

  it('applies every migration once, records it, and does nothing the second time', async () => {
    const all = readMigrations();
    assert.deepEqual(
      await migrate(pool),
      all.map((m) => m.version),
    );
    assert.deepEqual(await migrate(pool), []);
    const { rows } = await pool.query('select version, name, checksum from schema_migrations order by version');
    assert.deepEqual(
      rows,
      all.map((m) => ({ version: m.version, name: m.name, checksum: m.checksum })),
    );
    const { rows: tables } = await pool.query<{ table_name: string }>(
      "select table_name from information_schema.tables where table_schema in ('public', 'gateway') order by 1",
    );
    for (const table of ['account_states', 'reservations', 'ledger_entries', 'outbox', 'operator_audit', 'authorizations']) {
      assert.ok(
        tables.some((t) => t.table_name === table),
        `table ${table} missing`,
      );
    }
  });

  it('serialises concurrent migrators so each migration runs once', async () => {
    await pool.query('drop schema public cascade; create schema public; drop schema if exists gateway cascade');
    const results = await Promise.all([migrate(pool), migrate(pool), migrate(pool)]);
    assert.deepEqual(
      results.flat().sort((a, b) => a - b),
      readMigrations().map((m) => m.version),
    );
  });

  it('refuses to start when an applied migration was edited', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'migrations-'));
    for (const m of readMigrations())
      fs.writeFileSync(path.join(dir, `${String(m.version).padStart(4, '0')}_${m.name}.sql`), `${m.sql}\n-- edited\n`);
    await assert.rejects(migrate(pool, readMigrations(dir)), /was changed after it was applied/);
    fs.rmSync(dir, { recursive: true });
  });
});
