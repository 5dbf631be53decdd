/** npm run docs:config: writes docs/configuration.md from the settings declared in config/settings.ts. */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { renderConfigurationReference } from '../config/reference';
import { parseOrUsage, type Command } from './command';

export const command: Command = {
  name: 'docs:config',
  summary: 'writes docs/configuration.md from the settings declared in config/settings.ts',
  usage: 'npm run docs:config',
  async run(argv) {
    parseOrUsage(() => parseArgs({ args: argv, options: {} }));
    const target = path.resolve(__dirname, '..', 'docs', 'configuration.md');
    fs.writeFileSync(target, renderConfigurationReference());
    console.log(`wrote ${path.relative(process.cwd(), target)}`);
    return 0;
  },
};
