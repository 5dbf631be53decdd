/** Apache Kafka, one KRaft node (broker and controller in one JVM), run from its Maven Central jars. */
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import type { Config } from '../../config';
import { cachePath, statePaths, type Engine } from './engine';
import { mavenLibReady, provisionMavenLib } from './maven';
import { StackError, which } from './proc';
import { VERSIONS } from './versions';

const kafkaHome = (config: Config) => cachePath(config, `kafka-${VERSIONS.kafka}`);
const ARTIFACTS = [
  { groupId: 'org.apache.kafka', artifactId: 'kafka_2.13', version: VERSIONS.kafka },
  { groupId: 'org.apache.logging.log4j', artifactId: 'log4j-slf4j-impl', version: VERSIONS.kafkaLog4j },
];
const classpath = (config: Config) => `${path.join(kafkaHome(config), 'lib')}/*`;

function javaOrFail(): string {
  const java = which('java');
  if (!java) throw new StackError('kafka: no `java` on PATH. Kafka 4 needs a JDK or JRE 17 or newer.');
  return java;
}

function serverProperties(config: Config, logDir: string): string {
  const { kafkaPort, kafkaControllerPort } = config.stack;
  return `# Written by \`npm run stack\`; edits are overwritten at the next start.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:${kafkaControllerPort}
listeners=PLAINTEXT://127.0.0.1:${kafkaPort},CONTROLLER://127.0.0.1:${kafkaControllerPort}
advertised.listeners=PLAINTEXT://127.0.0.1:${kafkaPort}
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
log.dirs=${logDir}
# The app creates its topics with their own settings.
auto.create.topics.enable=false
num.partitions=${config.kafka.topicPartitions}
# One node: every internal topic has one replica, and fewer partitions make the first start faster.
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=5
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
log.cleaner.enable=true
`;
}

const LOG4J2 = `# Broker logging: warnings, plus the lines that say the broker started or stopped.
status = warn
appender.console.type = Console
appender.console.name = STDOUT
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = warn
rootLogger.appenderRef.stdout.ref = STDOUT
logger.server.name = kafka.server.KafkaRaftServer
logger.server.level = info
`;

export const kafkaEngine: Engine = {
  name: 'kafka',
  stopSignal: 'SIGTERM',
  startTimeoutMs: 90_000,
  managed: (c) => c.kafka.local,
  ports: (c) => [
    { port: c.stack.kafkaPort, setting: 'STACK_KAFKA_PORT' },
    { port: c.stack.kafkaControllerPort, setting: 'STACK_KAFKA_CONTROLLER_PORT' },
  ],

  async provision(config) {
    javaOrFail();
    await provisionMavenLib('kafka', kafkaHome(config), ARTIFACTS, path.join(config.cacheDir, 'logs', 'kafka-provision.log'));
  },

  async prepare(config) {
    if (!mavenLibReady(kafkaHome(config), ARTIFACTS)) throw new StackError('kafka: not provisioned');
    const { dataDir } = statePaths(config, 'kafka');
    const logDir = path.join(dataDir, 'data');
    fs.mkdirSync(logDir, { recursive: true });
    fs.writeFileSync(path.join(dataDir, 'server.properties'), serverProperties(config, logDir));
    fs.writeFileSync(path.join(dataDir, 'log4j2.properties'), LOG4J2);
    if (fs.existsSync(path.join(logDir, 'meta.properties'))) return;
    // A KRaft cluster id is 16 random bytes in URL-safe base64 without padding.
    const clusterId = randomBytes(16).toString('base64url');
    execFileSync(
      javaOrFail(),
      [
        `-Dlog4j2.configurationFile=${path.join(dataDir, 'log4j2.properties')}`,
        '-cp',
        classpath(config),
        'kafka.tools.StorageTool',
        'format',
        // One argument with '=': an id that starts with '-' (1 in 64) is otherwise read as an option.
        `--cluster-id=${clusterId}`,
        '-c',
        path.join(dataDir, 'server.properties'),
        '-g',
      ],
      { stdio: 'pipe' },
    );
  },

  command(config) {
    const { dataDir } = statePaths(config, 'kafka');
    return {
      command: javaOrFail(),
      args: [
        '-Xms256m',
        '-Xmx1g',
        '-XX:+UseG1GC',
        '-XX:MaxGCPauseMillis=20',
        '-Djava.awt.headless=true',
        `-Dlog4j2.configurationFile=${path.join(dataDir, 'log4j2.properties')}`,
        '-cp',
        classpath(config),
        'kafka.Kafka',
        path.join(dataDir, 'server.properties'),
      ],
    };
  },

  async healthy(config) {
    const kafka = new Kafka({
      clientId: 'paysaga-stack',
      brokers: [`127.0.0.1:${config.stack.kafkaPort}`],
      logLevel: logLevel.NOTHING,
      connectionTimeout: 1_000,
      retry: { retries: 0 },
    });
    const admin = kafka.admin();
    try {
      await admin.connect();
      const cluster = await admin.describeCluster();
      return cluster.brokers.length > 0 && cluster.controller !== null;
    } finally {
      await admin.disconnect();
    }
  },

  urls: (config) => ({ 'Kafka bootstrap': `127.0.0.1:${config.stack.kafkaPort}` }),
};
