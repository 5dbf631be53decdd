/** REST query, bodies and responses of the Kafka dead-letter routes (operators), as zod schemas; also in the OpenAPI document. */
import { z } from 'zod';
import { TOPICS } from '../contracts/topics';
import { PREVIEW_CHARS } from '../kafka/dead-letters';

export const deadLetteredTopic = z
  .enum(Object.values(TOPICS))
  .meta({ description: 'a topic that has a dead-letter topic (<topic>.dlt)' });

export const listKafkaDeadLettersQuery = z
  .strictObject({ topic: deadLetteredTopic.optional() })
  .meta({ id: 'ListKafkaDeadLettersQuery' });

export const kafkaDeadLetter = z
  .object({
    partition: z.number().int().meta({ description: 'of the dead-letter topic' }),
    offset: z.string().meta({ description: 'in the dead-letter topic' }),
    reason: z.string().meta({ description: 'why the consumer rejected the record' }),
    group: z.string().meta({ description: 'the consumer group that dead-lettered it' }),
    at: z.string().meta({ description: 'when it was dead-lettered' }),
    original: z.object({ topic: z.string(), partition: z.number().int(), offset: z.string() }),
    key: z.string().nullable(),
    preview: z.string().max(PREVIEW_CHARS).meta({
      description: 'the value with only the event contract fields shown (others [redacted]); a value not JSON is not shown',
    }),
  })
  .meta({ id: 'KafkaDeadLetter', description: 'a record a consumer rejected, with its reason (never its other headers)' });

export const kafkaDeadLetterList = z
  .object({
    topics: z.array(
      z.object({
        topic: deadLetteredTopic,
        deadLetters: z.array(kafkaDeadLetter).meta({ description: 'newest first' }),
        omitted: z.number().int().meta({ description: 'older dead letters left out of this list (it keeps the newest 1000)' }),
      }),
    ),
  })
  .meta({ id: 'KafkaDeadLetterList' });

export const replayBody = z.strictObject({ reason: z.string().trim().min(3).max(1000) }).meta({ id: 'KafkaDeadLetterReplay' });

export const replayResult = z
  .object({
    topic: deadLetteredTopic,
    replayed: z.number().int().meta({ description: 'how many records were published again' }),
    deadLetters: z.array(kafkaDeadLetter).meta({ description: 'the dead letters replayed, in the order sent' }),
  })
  .meta({ id: 'KafkaDeadLetterReplayResult', description: 'republished to their topic; a second replay sends only new ones' });
