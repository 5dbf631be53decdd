/**
 * The Kafka consumer groups of the roles and the topic each reads (one client id's system), and a way to
 * start a new system with no backlog: its groups moved to the topics' ends, so that what earlier systems on the
 * same cluster published is not its history (the fault suite, the bench and tests each run a system of their own).
 * The names are here, below the roles, so that a role can name another's group (the api's readiness waits for
 * the bridge's) without importing it.
 */
import type { Config } from '../config';
import { TOPICS } from '../contracts/topics';
import { createKafka } from '../kafka/client';
import { setGroupToTopicEnd } from '../kafka/group-offsets';
import { ensureTopics } from '../kafka/topics';

export const bridgeGroupIds = (config: Config) => ({
  requests: `${config.kafka.clientId}-bridge-payment-requests`,
  accounts: `${config.kafka.clientId}-bridge-account-states`,
});

export const readModelGroupIds = (config: Config) => ({
  requests: `${config.kafka.clientId}-read-model-requests`,
  decisions: `${config.kafka.clientId}-read-model-decisions`,
});

export const notifierGroupId = (config: Config) => `${config.kafka.clientId}-notifier`;

export const merchantTotalsGroupId = (clientId: string) => `${clientId}-merchant-totals`;

export function consumerGroups(config: Config): { groupId: string; topic: string }[] {
  const bridge = bridgeGroupIds(config);
  const readModel = readModelGroupIds(config);
  return [
    { groupId: bridge.requests, topic: TOPICS.paymentRequested },
    { groupId: bridge.accounts, topic: TOPICS.accountStateUpdated },
    { groupId: readModel.requests, topic: TOPICS.paymentRequested },
    { groupId: readModel.decisions, topic: TOPICS.paymentDecided },
    { groupId: notifierGroupId(config), topic: TOPICS.paymentDecided },
    { groupId: merchantTotalsGroupId(config.kafka.clientId), topic: TOPICS.paymentDecided },
  ];
}

/**
 * Moves every consumer group of this system to the current end of its topic (before its roles start). The
 * topics are created first if missing, so a system on a brand-new broker starts too.
 */
export async function startGroupsAtTopicEnds(config: Config): Promise<void> {
  const kafka = createKafka(config, 'setup');
  await ensureTopics(kafka, config);
  await Promise.all(consumerGroups(config).map(({ groupId, topic }) => setGroupToTopicEnd(kafka, groupId, topic)));
}
