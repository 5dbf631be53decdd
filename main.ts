/**
 * paysaga's one entry point: `npm start`, every `npm run <command>`, and `node dist/main.js run <role>` in a
 * container. The commands live in cli/ (cli/registry.ts lists them); `npx tsx main.ts help` prints them.
 */
import { dispatch } from './cli/registry';

dispatch(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
