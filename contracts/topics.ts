/**
 * Kafka topics (DESIGN.md §3). Every topic is keyed by account id, so one account's events stay in order on
 * one partition. Each consumed topic has a dead-letter twin `<topic>.dlt` that keeps the original bytes and
 * headers plus the reason it was rejected.
 */
export const TOPICS = {
  paymentRequested: 'payments.authorization.requested',
  accountStateUpdated: 'accounts.state.updated',
  paymentDecided: 'payments.authorization.decided',
} as const;

export type Topic = (typeof TOPICS)[keyof typeof TOPICS];

export const deadLetterTopic = (topic: Topic) => `${topic}.dlt` as const;

/** Per-topic settings beyond the configured partition count and replication factor. */
export const TOPIC_SETTINGS: Record<Topic, Record<string, string>> = {
  [TOPICS.paymentRequested]: {},
  // The legacy feed is a changelog of account snapshots: compaction keeps the newest record per account.
  [TOPICS.accountStateUpdated]: { 'cleanup.policy': 'compact', 'min.compaction.lag.ms': '60000' },
  [TOPICS.paymentDecided]: {},
};

/**
 * The merchant totals aggregate's own topics (merchant-totals/, docs/merchant-totals.md). Partition P of each is
 * written only by the transactional producer of input partition P of payments.authorization.decided, so both
 * have the input's partition count. No dead-letter twins: nothing but the aggregate writes them.
 */
export const MERCHANT_TOTALS_TOPICS = {
  /** Compacted: the latest partial totals per merchant, currency and input partition. */
  totals: 'merchants.authorized-totals',
  /** The changelog of event ids already counted: compacted, and deleted once the input cannot replay them. */
  seen: 'merchants.authorized-totals.seen',
} as const;

/** How long a counted event id is remembered: a day longer than the event topics keep the event itself. */
export const seenRetentionMs = (eventRetentionMs: number) => eventRetentionMs + 86_400_000;

export const merchantTotalsTopicSettings = (eventRetentionMs: number): Record<string, Record<string, string>> => ({
  [MERCHANT_TOTALS_TOPICS.totals]: { 'cleanup.policy': 'compact' },
  [MERCHANT_TOTALS_TOPICS.seen]: {
    'cleanup.policy': 'compact,delete',
    'retention.ms': String(seenRetentionMs(eventRetentionMs)),
  },
});

/** Dead letters wait for an operator: kept for 30 days, never compacted (each one is its own case). */
export const DEAD_LETTER_SETTINGS: Record<string, string> = {
  'cleanup.policy': 'delete',
  'retention.ms': String(30 * 86_400_000),
};
