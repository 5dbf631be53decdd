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

/** Dead letters wait for an operator: kept for 30 days, never compacted (each one is its own case). */
export const DEAD_LETTER_SETTINGS: Record<string, string> = {
  'cleanup.policy': 'delete',
  'retention.ms': String(30 * 86_400_000),
};
