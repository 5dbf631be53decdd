/**
 * Rebuilds the read model from offset zero (DESIGN.md §6, §7.5): in one database transaction, forgets the
 * payments, their timelines and the read model's inbox, and folds every record of the requested and decided
 * topics again; readers see the old model until the new one commits. Then the read model's consumer groups
 * continue from where the replay ended. The api's own records (payment_callers) are not part of it.
 */
import type { Kafka } from 'kafkajs';
import type { Config } from '../config';
import { EVENT_TYPES } from '../contracts/events';
import { TOPICS } from '../contracts/topics';
import { withTransaction, type Pool } from '../db/pool';
import { decodeRecord, PoisonRecordError } from '../kafka/consumer';
import { setGroupOffsets } from '../kafka/group-offsets';
import { readToEnd } from '../kafka/read-to-end';
import { readModelGroupIds } from './consumers';
import { applyPaymentDecided, applyPaymentRequested, READ_MODEL } from './projection';

export class RebuildRefused extends Error {
  override name = 'RebuildRefused';
}

export interface RebuildResult {
  records: number;
  /** Records no consumer can read (their consumers dead-lettered them when they arrived). */
  skipped: number;
  payments: number;
}

const TOPICS_FOLDED = [TOPICS.paymentRequested, TOPICS.paymentDecided];

export async function rebuildReadModel(opts: {
  config: Config;
  kafka: Kafka;
  pool: Pool;
  force?: boolean;
}): Promise<RebuildResult> {
  const { config, kafka, pool } = opts;
  const groups = Object.values(readModelGroupIds(config));
  const admin = kafka.admin();
  await admin.connect();
  try {
    // Two writers would race: a running read model keeps folding while this replays.
    const described = await admin.describeGroups(groups);
    const active = described.groups.filter((g) => g.members.length > 0).map((g) => g.groupId);
    if (active.length > 0) throw new RebuildRefused(`stop the read-model role first: ${active.join(', ')} still consuming`);
    // Records deleted by retention cannot be folded again: a rebuild would lose those payments.
    for (const topic of TOPICS_FOLDED) {
      const trimmed = (await admin.fetchTopicOffsets(topic)).filter((p) => p.low !== '0');
      if (trimmed.length > 0 && !opts.force) {
        throw new RebuildRefused(
          `${topic} no longer starts at offset zero (retention deleted records of partition(s) ${trimmed.map((p) => p.partition).join(', ')}); ` +
            'a rebuild would drop those payments. Run with --force to rebuild from what the topics still hold.',
        );
      }
    }

    let skipped = 0;
    const { result, end } = await withTransaction(pool, async (tx) => {
      // The saga's own rows (waiting for account state) come from no topic: they stay.
      await tx.query('delete from payment_timeline where event_id is not null');
      await tx.query('delete from payments');
      await tx.query('delete from inbox where consumer = $1', [READ_MODEL]);
      const read = await readToEnd(kafka, {
        topics: TOPICS_FOLDED,
        groupPrefix: `${config.kafka.clientId}-read-model-rebuild`,
        eachMessage: async ({ topic, message }) => {
          try {
            if (topic === TOPICS.paymentRequested)
              await applyPaymentRequested(tx, decodeRecord(EVENT_TYPES.paymentRequested, message.value));
            else await applyPaymentDecided(tx, decodeRecord(EVENT_TYPES.paymentDecided, message.value));
          } catch (err) {
            if (!(err instanceof PoisonRecordError)) throw err;
            skipped++;
          }
        },
      });
      const { rows } = await tx.query<{ n: number }>('select count(*)::int as n from payments');
      return { result: { records: read.records, skipped, payments: rows[0]!.n }, end: read.end };
    });
    const groupOf = readModelGroupIds(config);
    await Promise.all([
      setGroupOffsets(kafka, {
        groupId: groupOf.requests,
        topic: TOPICS.paymentRequested,
        partitions: end[TOPICS.paymentRequested]!,
      }),
      setGroupOffsets(kafka, {
        groupId: groupOf.decisions,
        topic: TOPICS.paymentDecided,
        partitions: end[TOPICS.paymentDecided]!,
      }),
    ]);
    return result;
  } finally {
    await admin.disconnect();
  }
}
