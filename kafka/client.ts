import fs from 'node:fs';
import { Kafka, logLevel, type KafkaConfig, type SASLOptions } from 'kafkajs';
import type { Config } from '../config';
import './request-queue-fix'; // before any client: KafkaJS's idle timer loop, fixed
import { logger } from '../observability/logger';

const LEVELS = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
} as const;

/** KafkaJS's log lines as paysaga's (pino), so they carry the same fields and format. */
const pinoLogCreator: KafkaConfig['logCreator'] =
  () =>
  ({ namespace, level, log }) => {
    const { message, timestamp: _t, logger: _l, ...fields } = log;
    const method = LEVELS[level as keyof typeof LEVELS];
    if (method) logger[method]({ component: 'kafkajs', namespace, ...fields }, message);
  };

/**
 * A KafkaJS client for one role of paysaga, from the validated configuration (brokers, TLS, SASL). `extra` lets a
 * role filter KafkaJS log lines about errors it handles itself, or a test inject connection failures.
 */
export function createKafka(config: Config, role: string, extra: Pick<KafkaConfig, 'logCreator' | 'socketFactory'> = {}): Kafka {
  const { kafka } = config;
  const options: KafkaConfig = {
    clientId: `${kafka.clientId}-${role}`,
    brokers: kafka.brokers,
    logLevel: logLevel.WARN,
    connectionTimeout: 3_000,
    logCreator: pinoLogCreator,
  };
  if (kafka.ssl) options.ssl = kafka.sslCaFile ? { ca: [fs.readFileSync(kafka.sslCaFile, 'utf8')] } : true;
  if (kafka.sasl) options.sasl = { ...kafka.sasl } as SASLOptions;
  return new Kafka({ ...options, ...extra });
}
