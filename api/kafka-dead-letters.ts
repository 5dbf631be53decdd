/**
 * /dead-letters/kafka routes (operators): every topic's dead letters with their reasons, from the api's
 * follower (kafka/dead-letter-follower.ts), and the replay of a topic's dead letters as `npm run dlt -- replay`
 * does. A replay is an operator action: audited with the operator and the reason, one per topic at a time.
 * Responses carry only the dead-letter headers of a record and a redacted preview of its value.
 */
import { Router, type Request, type Response } from 'express';
import { KafkaJSError, type Kafka } from 'kafkajs';
import type { Config } from '../config';
import { withDeadLetterReplayLock } from '../db/dead-letter-replay-lock';
import { recordDeadLetterReplay } from '../db/operator-audit';
import type { Pool } from '../db/pool';
import type { DeadLetterFollower } from '../kafka/dead-letter-follower';
import { isTopic, replayDeadLetters } from '../kafka/dead-letters';
import { callerOf } from './auth';
import { listKafkaDeadLettersQuery, replayBody } from './kafka-dead-letter-schemas';
import { fieldErrors, problem } from './problem';

export interface KafkaDeadLetters {
  kafka: Kafka;
  follower: DeadLetterFollower;
}

export function kafkaDeadLetterRoutes(opts: {
  pool: Pool;
  config: Config;
  deadLetters?: KafkaDeadLetters;
  requireRole: (...roles: ('client' | 'operator')[]) => (req: Request, res: Response, next: () => void) => unknown;
}): Router {
  const { pool, config, deadLetters, requireRole } = opts;
  const router = Router();
  const unavailable = (res: Response) =>
    problem(res, 503, 'Kafka dead letters unavailable', { detail: 'this api does not follow the dead-letter topics' });

  router.get('/dead-letters/kafka', requireRole('operator'), (req, res) => {
    const parsed = listKafkaDeadLettersQuery.safeParse(req.query);
    if (!parsed.success) return problem(res, 400, 'invalid query', { errors: fieldErrors(parsed.error) });
    if (!deadLetters) return unavailable(res);
    if (!deadLetters.follower.isCaughtUp)
      return problem(res, 503, 'dead letters catching up', { detail: 'retry in a few seconds' });
    res.json({ topics: deadLetters.follower.list(parsed.data.topic) });
  });

  router.post('/dead-letters/kafka/:topic/replay', requireRole('operator'), async (req: Request<{ topic: string }>, res) => {
    const operator = callerOf(res).subject;
    const { topic } = req.params;
    if (!isTopic(topic)) return problem(res, 404, 'unknown topic', { detail: 'not one of the topics that have dead letters' });
    const parsed = replayBody.safeParse(req.body);
    if (!parsed.success) return problem(res, 400, 'invalid replay', { errors: fieldErrors(parsed.error) });
    if (!deadLetters) return unavailable(res);
    let replayed;
    try {
      replayed = await withDeadLetterReplayLock(pool, topic, async (tx) => {
        const letters = await replayDeadLetters(deadLetters.kafka, topic, config.kafka.clientId);
        await recordDeadLetterReplay(tx, {
          topic,
          operator,
          reason: parsed.data.reason,
          detail: { replayed: letters.length, deadLetters: letters.map((l) => `${l.partition}/${l.offset}`) },
        });
        return letters;
      });
    } catch (err) {
      if (!(err instanceof KafkaJSError)) throw err;
      // The replay group's offsets move only at the end of a replay: a retry sends again what this one may have
      // sent, which every consumer ignores (it deduplicates by event id).
      res.setHeader('Retry-After', '5');
      return problem(res, 503, 'Kafka unavailable', { detail: `the replay did not complete (${err.message}): retry` });
    }
    res.json({ topic, replayed: replayed.length, deadLetters: replayed });
  });

  return router;
}
