import fs from 'node:fs';
import { Kafka, logLevel, type KafkaConfig, type SASLOptions } from 'kafkajs';
import type { Config } from '../config';

/** A KafkaJS client for one role of paysaga, from the validated configuration (brokers, TLS, SASL). */
export function createKafka(config: Config, role: string): Kafka {
  const { kafka } = config;
  const options: KafkaConfig = {
    clientId: `${kafka.clientId}-${role}`,
    brokers: kafka.brokers,
    logLevel: logLevel.WARN,
    connectionTimeout: 3_000,
  };
  if (kafka.ssl) options.ssl = kafka.sslCaFile ? { ca: [fs.readFileSync(kafka.sslCaFile, 'utf8')] } : true;
  if (kafka.sasl) options.sasl = { ...kafka.sasl } as SASLOptions;
  return new Kafka(options);
}
