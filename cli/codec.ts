/**
 * `npm run codec -- rotate [--id <key id>] [--stage]`: puts a new payload key first in the keys file
 * (TEMPORAL_CODEC_KEYS_FILE, by default the stack's), keeping the others, so that each process seals with it from its
 * next start and still opens every history sealed before. With `--stage` the new key goes second (opened, not yet
 * used to seal) and `npm run codec -- promote --id <key id>` later moves it first: the two steps of a rotation whose
 * processes restart one at a time (docs/security.md). The keys themselves are never printed.
 */
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { promoteCodecKey, rotateCodecKeysFile } from '../temporal/codec';
import { CommandError, parseOrUsage, UsageError, type Command } from './command';
import { loadSettings } from './settings';

export const command: Command = {
  name: 'codec',
  summary: 'rotates the payload key: a new key in the keys file (first, or staged then promoted), the old ones kept',
  usage: 'npm run codec -- rotate [--id <key id>] [--stage] | promote --id <key id>',
  run(argv) {
    const { values, positionals } = parseOrUsage(() =>
      parseArgs({ args: argv, allowPositionals: true, options: { id: { type: 'string' }, stage: { type: 'boolean' } } }),
    );
    const action = positionals[0];
    if (positionals.length !== 1 || (action !== 'rotate' && action !== 'promote'))
      throw new UsageError('say what to do: rotate or promote');
    if (action === 'promote' && !values.id) throw new UsageError('promote needs --id <key id>: the staged key to seal with');
    const { codec } = loadSettings().temporal;
    if (codec.keys)
      throw new CommandError(
        'the keys come from TEMPORAL_CODEC_KEYS: add a new entry there (`openssl rand -base64 32` makes a key), second while instances restart one at a time, then first; keep the others, and restart the roles',
      );
    if (!fs.existsSync(codec.keysFile))
      throw new CommandError(
        `no keys file at ${codec.keysFile}: the stack writes one when it runs Temporal (\`npm run stack -- up\`), or set TEMPORAL_CODEC_KEYS_FILE`,
      );
    if (action === 'promote') {
      promoteCodecKey(codec.keysFile, values.id!);
      console.log(`codec: key "${values.id}" is now first in ${codec.keysFile}; restart every role to seal with it`);
      return Promise.resolve(0);
    }
    const id = rotateCodecKeysFile(codec.keysFile, values.id, { stage: values.stage });
    console.log(
      values.stage
        ? `codec: key "${id}" is staged (second) in ${codec.keysFile}; restart every role so each opens it, then \`npm run codec -- promote --id ${id}\` and restart them again`
        : `codec: key "${id}" is now first in ${codec.keysFile}; restart every role (worker, api, bridge, …) to seal with it`,
    );
    return Promise.resolve(0);
  },
};
