/** `npm run rebuild-read-model [-- --force]`: folds the read model again from offset zero (read-model role stopped). */
import { parseArgs } from 'node:util';
import { migrate } from '../db/migrate';
import { createPool } from '../db/pool';
import { createKafka } from '../kafka/client';
import { RebuildRefused, rebuildReadModel } from '../read-model/rebuild';
import { CommandError, parseOrUsage, type Command } from './command';
import { loadSettings } from './settings';

export const command: Command = {
  name: 'rebuild-read-model',
  summary: 'folds the read model again from offset zero (the read-model role stopped)',
  usage: 'npm run rebuild-read-model [-- --force]',
  async run(argv) {
    const { values } = parseOrUsage(() => parseArgs({ args: argv, options: { force: { type: 'boolean', default: false } } }));
    const config = loadSettings();
    const pool = createPool(config);
    try {
      await migrate(pool);
      const t0 = Date.now();
      const result = await rebuildReadModel({
        config,
        pool,
        kafka: createKafka(config, 'read-model-rebuild'),
        force: values.force,
      });
      console.log(
        `read model rebuilt in ${((Date.now() - t0) / 1000).toFixed(1)}s: ${result.records} record(s) folded, ` +
          `${result.skipped} unreadable skipped, ${result.payments} payment(s)`,
      );
      return 0;
    } catch (err) {
      if (err instanceof RebuildRefused) throw new CommandError(`rebuild refused: ${err.message}`);
      throw err;
    } finally {
      await pool.end();
    }
  },
};
