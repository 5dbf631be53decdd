import fs from 'node:fs';
import { Kafka, logLevel, type KafkaConfig, type SASLOptions } from 'kafkajs';
import type { Config } from '../config';

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
  };
  if (kafka.ssl) options.ssl = kafka.sslCaFile ? { ca: [fs.readFileSync(kafka.sslCaFile, 'utf8')] } : true;
  if (kafka.sasl) options.sasl = { ...kafka.sasl } as SASLOptions;
  return new Kafka({ ...options, ...extra });
}
