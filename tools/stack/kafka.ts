/**
 * Apache Kafka in KRaft mode, run from its Maven Central jars: one node (broker and controller in one JVM), or
 * in the cluster topology three such nodes forming one controller quorum, every internal topic on all three.
 */
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { localKafkaNodes, type Config } from '../../config';
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

type KafkaNode = ReturnType<typeof localKafkaNodes>[number];

function serverProperties(config: Config, node: KafkaNode, logDir: string): string {
  const nodes = localKafkaNodes(config);
  // Internal topics (offsets, transaction state) on every node, written to a majority, as paysaga's own are.
  const replicas = nodes.length;
  const minIsr = Math.floor(replicas / 2) + 1;
  return `# Written by \`npm run stack\`; edits are overwritten at the next start.
process.roles=broker,controller
node.id=${node.id}
controller.quorum.voters=${nodes.map((n) => `${n.id}@127.0.0.1:${n.controllerPort}`).join(',')}
listeners=PLAINTEXT://127.0.0.1:${node.port},CONTROLLER://127.0.0.1:${node.controllerPort}
advertised.listeners=PLAINTEXT://127.0.0.1:${node.port}
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
log.dirs=${logDir}
# The app creates its topics with their own settings.
auto.create.topics.enable=false
num.partitions=${config.kafka.topicPartitions}
# A replica that was out of sync never becomes leader: no acknowledged record is lost to an election.
unclean.leader.election.enable=false
min.insync.replicas=${minIsr}
# Fewer partitions for the internal topics make the first start faster.
offsets.topic.replication.factor=${replicas}
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=${replicas}
transaction.state.log.min.isr=${minIsr}
transaction.state.log.num.partitions=5
share.coordinator.state.topic.replication.factor=${replicas}
share.coordinator.state.topic.min.isr=${minIsr}
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

/**
 * Every node of a cluster is formatted with the same cluster id; it is made once and kept beside the nodes'
 * folders (synchronously: the nodes are prepared side by side, and must not make one each).
 */
function clusterId(config: Config): string {
  const file = path.join(config.stateDir, 'kafka-cluster-id');
  if (!fs.existsSync(file)) {
    fs.mkdirSync(config.stateDir, { recursive: true });
    // A KRaft cluster id is 16 random bytes in URL-safe base64 without padding.
    fs.writeFileSync(file, randomBytes(16).toString('base64url') + '\n');
  }
  return fs.readFileSync(file, 'utf8').trim();
}

/** The Kafka node with this id: `kafka` when it is the only one, `kafka-<id>` in a cluster. */
function kafkaNodeEngine(id: number, name: string): Engine {
  const node = (config: Config) => localKafkaNodes(config).find((n) => n.id === id)!;
  return {
    name,
    stopSignal: 'SIGTERM',
    startTimeoutMs: 90_000,
    managed: (c) => c.kafka.local,
    ports: (c) => [
      { port: node(c).port, setting: 'STACK_KAFKA_PORT' },
      { port: node(c).controllerPort, setting: 'STACK_KAFKA_CONTROLLER_PORT' },
    ],

    async provision(config) {
      javaOrFail();
      await provisionMavenLib('kafka', kafkaHome(config), ARTIFACTS, path.join(config.cacheDir, 'logs', 'kafka-provision.log'));
    },

    async prepare(config) {
      if (!mavenLibReady(kafkaHome(config), ARTIFACTS)) throw new StackError('kafka: not provisioned');
      const { dataDir } = statePaths(config, name);
      const logDir = path.join(dataDir, 'data');
      fs.mkdirSync(logDir, { recursive: true });
      fs.writeFileSync(path.join(dataDir, 'server.properties'), serverProperties(config, node(config), logDir));
      fs.writeFileSync(path.join(dataDir, 'log4j2.properties'), LOG4J2);
      if (fs.existsSync(path.join(logDir, 'meta.properties'))) return;
      const id = clusterId(config);
      execFileSync(
        javaOrFail(),
        [
          `-Dlog4j2.configurationFile=${path.join(dataDir, 'log4j2.properties')}`,
          '-cp',
          classpath(config),
          'kafka.tools.StorageTool',
          'format',
          // One argument with '=': an id that starts with '-' (1 in 64) is otherwise read as an option.
          `--cluster-id=${id}`,
          '-c',
          path.join(dataDir, 'server.properties'),
          '-g',
        ],
        { stdio: 'pipe' },
      );
    },

    command(config) {
      const { dataDir } = statePaths(config, name);
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

    /** This node answers as a broker, registered, with a controller elected (a quorum of the nodes is up). */
    async healthy(config) {
      const kafka = new Kafka({
        clientId: 'paysaga-stack',
        brokers: [`127.0.0.1:${node(config).port}`],
        logLevel: logLevel.NOTHING,
        connectionTimeout: 1_000,
        retry: { retries: 0 },
      });
      const admin = kafka.admin();
      try {
        await admin.connect();
        const cluster = await admin.describeCluster();
        return cluster.brokers.some((b) => b.nodeId === id) && cluster.controller !== null;
      } finally {
        await admin.disconnect();
      }
    },

    urls: (config): Record<string, string> => (id === 1 ? { 'Kafka bootstrap': config.kafka.brokers.join(',') } : {}),
  };
}

/** The single topology's one node. */
export const kafkaEngine = kafkaNodeEngine(1, 'kafka');
/** The cluster topology's three nodes. */
export const kafkaClusterEngines = [1, 2, 3].map((id) => kafkaNodeEngine(id, `kafka-${id}`));
