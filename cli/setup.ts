/** `npm run setup`: schema, topics and search attributes, then exit. */
import { parseArgs } from 'node:util';
import type { Config } from '../config';
import { migrate } from '../db/migrate';
import { createPool } from '../db/pool';
import { createKafka } from '../kafka/client';
import { ensureTopics } from '../kafka/topics';
import { connectTemporal } from '../temporal/connection';
import { registerSearchAttributes } from '../temporal/search-attributes';
import { chromiumBinary, chromiumInstallHint } from '../tools/stack/chromium';
import { parseOrUsage, type Command } from './command';
import { loadSettings } from './settings';

export async function setup(config: Config): Promise<void> {
  const pool = createPool(config);
  try {
    const applied = await migrate(pool);
    console.log(`database: ${applied.length ? `applied migrations ${applied.join(', ')}` : 'schema up to date'}`);
  } finally {
    await pool.end();
  }
  const created = await ensureTopics(createKafka(config, 'setup'), config);
  console.log(`kafka: ${created.length ? `created topics ${created.join(', ')}` : 'topics present'}`);
  const connection = await connectTemporal(config);
  try {
    const added = await registerSearchAttributes(connection, config.temporal.namespace);
    console.log(`temporal: ${added.length ? `registered search attributes ${added.join(', ')}` : 'search attributes present'}`);
  } finally {
    await connection.close();
  }
}

export const command: Command = {
  name: 'setup',
  summary: 'schema, topics and search attributes, then exit',
  usage: 'npm run setup',
  async run(argv) {
    parseOrUsage(() => parseArgs({ args: argv, options: {} }));
    const config = loadSettings();
    await setup(config);
    // Only reported: the browser serves the tests, so the test setup (npm test) fetches it, not this command.
    const browser = chromiumBinary(config);
    console.log(
      `chromium (browser tests): ${browser?.executablePath ?? `not here; npm test fetches it, or ${chromiumInstallHint}`}`,
    );
    return 0;
  },
};
