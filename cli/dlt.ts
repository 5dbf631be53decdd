/** `npm run dlt -- list|replay <topic>`: a topic's dead letters with their reasons; replay republishes them. */
import { TOPICS } from '../contracts/topics';
import { withDeadLetterReplayLock } from '../db/dead-letter-replay-lock';
import { createPool } from '../db/pool';
import { createKafka } from '../kafka/client';
import { isTopic, listDeadLetters, replayDeadLetters } from '../kafka/dead-letters';
import { UsageError, type Command } from './command';
import { loadSettings } from './settings';

export const command: Command = {
  name: 'dlt',
  summary: "a topic's dead letters with their reasons; replay republishes them",
  usage: `npm run dlt -- list|replay <topic>, a topic of ${Object.values(TOPICS).join(', ')}`,
  async run(argv) {
    const [action, topic = '', ...extra] = argv;
    if ((action !== 'list' && action !== 'replay') || !isTopic(topic) || extra.length > 0) throw new UsageError();
    const config = loadSettings();
    const kafka = createKafka(config, 'dlt');
    let letters;
    if (action === 'list') letters = await listDeadLetters(kafka, topic, config.kafka.clientId);
    else {
      // Under the lock the api's replays take too, so a replay here and one from the console never overlap.
      const pool = createPool(config);
      try {
        letters = await withDeadLetterReplayLock(pool, topic, () => replayDeadLetters(kafka, topic, config.kafka.clientId));
      } finally {
        await pool.end();
      }
    }
    for (const l of letters) {
      console.log(
        `${l.partition}/${l.offset} ${l.at} group=${l.group} original=${l.original.partition}/${l.original.offset} key=${l.key ?? ''} reason: ${l.reason}`,
      );
    }
    console.log(`${letters.length} dead letter(s) ${action === 'list' ? `on ${topic}.dlt` : `replayed to ${topic}`}`);
    return 0;
  },
};
