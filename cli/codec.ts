/**
 * `npm run codec -- rotate [--id <key id>]`: puts a new payload key first in the keys file (TEMPORAL_CODEC_KEYS_FILE,
 * by default the stack's), keeping the others, so that each process seals with it from its next start and still
 * opens every history sealed before (docs/security.md). The keys themselves are never printed.
 */
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { rotateCodecKeysFile } from '../temporal/codec';
import { CommandError, parseOrUsage, UsageError, type Command } from './command';
import { loadSettings } from './settings';

export const command: Command = {
  name: 'codec',
  summary: 'rotates the payload key: a new key first in the keys file, the old ones kept',
  usage: 'npm run codec -- rotate [--id <key id>]',
  run(argv) {
    const { values, positionals } = parseOrUsage(() =>
      parseArgs({ args: argv, allowPositionals: true, options: { id: { type: 'string' } } }),
    );
    if (positionals.length !== 1 || positionals[0] !== 'rotate') throw new UsageError('say what to do: rotate');
    const { codec } = loadSettings().temporal;
    if (codec.keys)
      throw new CommandError(
        'the keys come from TEMPORAL_CODEC_KEYS: put a new entry first there (`openssl rand -base64 32` makes a key), keep the others, and restart the roles',
      );
    if (!fs.existsSync(codec.keysFile))
      throw new CommandError(
        `no keys file at ${codec.keysFile}: the stack writes one when it runs Temporal (\`npm run stack -- up\`), or set TEMPORAL_CODEC_KEYS_FILE`,
      );
    const id = rotateCodecKeysFile(codec.keysFile, values.id);
    console.log(
      `codec: key "${id}" is now first in ${codec.keysFile}; restart every role (worker, api, bridge, …) to seal with it`,
    );
    return Promise.resolve(0);
  },
};
