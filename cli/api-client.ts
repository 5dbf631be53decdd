/** npm run api:client: writes api/client/schema.d.ts, the typed client's types, from the OpenAPI document. */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { CLIENT_SCHEMA_FILE, readCommittedClientSchema, renderClientSchema } from '../api/client/generate';
import { parseOrUsage, type Command } from './command';

export const command: Command = {
  name: 'api:client',
  summary: 'writes api/client/schema.d.ts (the typed client) from the OpenAPI document of api/openapi.ts',
  usage: 'npm run api:client',
  async run(argv) {
    parseOrUsage(() => parseArgs({ args: argv, options: {} }));
    const text = await renderClientSchema();
    const target = path.relative(process.cwd(), CLIENT_SCHEMA_FILE);
    if (readCommittedClientSchema() === text) {
      console.log(`${target} is up to date`);
      return 0;
    }
    fs.writeFileSync(CLIENT_SCHEMA_FILE, text);
    console.log(`wrote ${target}`);
    return 0;
  },
};
