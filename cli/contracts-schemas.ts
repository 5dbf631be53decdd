/**
 * npm run contracts:schemas: writes contracts/schemas/<event-type>.v<N>.json from the zod schemas of every event
 * version (contracts/json-schemas.ts). Refuses, writing nothing, a change to a committed version that would
 * break its consumers: such a change is a new version (docs/design.md, "Changing an event").
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { breakingChanges, eventSchemas, readCommittedSchema, renderSchema, SCHEMAS_DIR } from '../contracts/json-schemas';
import { parseOrUsage, type Command } from './command';

export const command: Command = {
  name: 'contracts:schemas',
  summary: 'writes contracts/schemas/ (JSON Schema of every event version); refuses a breaking change to a committed one',
  usage: 'npm run contracts:schemas',
  async run(argv) {
    parseOrUsage(() => parseArgs({ args: argv, options: {} }));
    const schemas = eventSchemas();
    const refusals = schemas.flatMap(({ file, schema }) => {
      const committed = readCommittedSchema(file);
      return committed === undefined ? [] : breakingChanges(committed, schema).map((reason) => `${file}: ${reason}`);
    });
    if (refusals.length > 0) {
      console.error(`not written: a committed event version would change incompatibly\n  ${refusals.join('\n  ')}`);
      console.error('add a version to EVENTS in contracts/events.ts instead, and keep the old one until its consumers move');
      return 1;
    }
    fs.mkdirSync(SCHEMAS_DIR, { recursive: true });
    const files = new Set(schemas.map((s) => s.file));
    for (const stale of fs.readdirSync(SCHEMAS_DIR).filter((f) => f.endsWith('.json') && !files.has(f))) {
      fs.rmSync(path.join(SCHEMAS_DIR, stale));
      console.log(`removed ${stale} (no longer in EVENTS)`);
    }
    for (const { file, schema } of schemas) {
      const target = path.join(SCHEMAS_DIR, file);
      const text = renderSchema(schema);
      if (fs.existsSync(target) && fs.readFileSync(target, 'utf8') === text) continue;
      fs.writeFileSync(target, text);
      console.log(`wrote ${path.relative(process.cwd(), target)}`);
    }
    return 0;
  },
};
