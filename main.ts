/**
 * paysaga's one entry point.
 *   npm start             bring up the local stack (every engine the configuration does not point elsewhere),
 *                         run setup, print the URLs; Ctrl-C stops it all.
 *   npm run setup         only migrate the database, create the topics and register the search attributes,
 *                         then exit (for a cluster, or the compose file's setup service).
 */
import { ConfigError, loadConfig, redactConfig, type Config } from './config';
import { migrate } from './db/migrate';
import { createPool } from './db/pool';
import { createKafka } from './kafka/client';
import { ensureTopics } from './kafka/topics';
import { stackDown, StackError, stackUp } from './stack';
import { connectTemporal } from './temporal/connection';
import { registerSearchAttributes } from './temporal/search-attributes';

async function setup(config: Config): Promise<void> {
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

async function start(config: Config): Promise<void> {
  const t0 = Date.now();
  const { engines } = await stackUp(config);
  const ours = engines.filter((e) => e.state === 'started').map((e) => e.name);
  await setup(config);
  console.log(`paysaga: ready in ${((Date.now() - t0) / 1000).toFixed(1)}s. Temporal Web UI: ${config.temporal.uiUrl}`);
  console.log('paysaga: press Ctrl-C to stop');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  console.log('paysaga: stopping');
  await stackDown(config, ours);
}

async function main(command = 'start'): Promise<void> {
  const config = loadConfig();
  if (config.logLevel === 'debug' || config.logLevel === 'trace') console.log(JSON.stringify(redactConfig(config), null, 2));
  if (command === 'setup') return setup(config);
  if (command === 'start') return start(config);
  throw new StackError(`unknown command "${command}" (expected start or setup)`);
}

main(process.argv[2]).then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err instanceof ConfigError || err instanceof StackError ? err.message : err);
    process.exit(1);
  },
);
