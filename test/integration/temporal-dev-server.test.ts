import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import {
  Runtime,
  DefaultLogger,
  Worker,
  NativeConnection,
  bundleWorkflowCode,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import { loadConfig } from '../../config';
import { temporalConnectionOptions } from '../../temporal/connection';
import { markStatus } from '../fixtures/workflows';
import { PaymentIdKey, PaymentStatusKey, SEARCH_ATTRIBUTE_KEYS } from '../../workflows/search-attributes';
import { registerSearchAttributes } from '../../temporal/search-attributes';
import { msToTs } from '@temporalio/common/lib/time';
import { temporalBinary } from '../../tools/stack/temporal';

describe('Temporal dev server (real engine)', function () {
  this.timeout(60_000);
  const config = loadConfig();
  let connection: Connection;
  let client: Client;
  let workflowBundle: WorkflowBundleWithSourceMap;

  before(async () => {
    Runtime.install({ logger: new DefaultLogger('WARN') });
    connection = await Connection.connect(temporalConnectionOptions(config));
    client = new Client({ connection, namespace: config.temporal.namespace });
    workflowBundle = await bundleWorkflowCode({
      workflowsPath: require.resolve('../fixtures/workflows'),
      logger: new DefaultLogger('WARN'),
    });
  });

  after(async () => {
    await connection?.close();
  });

  it('has the PaymentId and PaymentStatus search attributes registered as Keyword', async () => {
    const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace: config.temporal.namespace });
    for (const key of SEARCH_ATTRIBUTE_KEYS) {
      assert.equal(customAttributes?.[key.name], 2 /* INDEXED_VALUE_TYPE_KEYWORD */, `${key.name} is not a Keyword`);
    }
  });

  it('registers the search attributes in a namespace that lacks them, once', async () => {
    const namespace = `paysaga-setup-test-${randomUUID().slice(0, 8)}`;
    await connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs('1 day') });
    try {
      assert.deepEqual((await registerSearchAttributes(connection, namespace)).sort(), ['PaymentId', 'PaymentStatus']);
      assert.deepEqual(await registerSearchAttributes(connection, namespace), []);
      const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
      for (const key of SEARCH_ATTRIBUTE_KEYS) assert.equal(customAttributes?.[key.name], 2, key.name);
    } finally {
      await connection.operatorService.deleteNamespace({ namespace });
    }
  });

  it('connects with a temporal.toml profile the temporal CLI wrote, to the namespace the CLI reaches with it', async function () {
    const binary = temporalBinary(config);
    if (!binary) return this.skip(); // a remote Temporal (TEMPORAL_ADDRESS set) and no temporal CLI here
    const namespace = `paysaga-profile-test-${randomUUID().slice(0, 8)}`;
    await connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs('1 day') });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paysaga-temporal-toml-'));
    try {
      const file = path.join(dir, 'temporal.toml');
      const env = { PATH: process.env.PATH, HOME: dir, TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'paysaga' };
      const cli = (...args: string[]) => execFileSync(binary, args, { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      cli('config', 'set', '--prop', 'address', '--value', config.temporal.address);
      cli('config', 'set', '--prop', 'namespace', '--value', namespace);
      const customAttributesSeenByCli = () =>
        Object.keys(
          (JSON.parse(cli('operator', 'search-attribute', 'list', '--output', 'json')) as { customAttributes?: object })
            .customAttributes ?? {},
        );
      // The CLI is in the new namespace (the default one has paysaga's search attributes)...
      assert.ok(!customAttributesSeenByCli().includes('PaymentId'));

      // ...and paysaga, given the same file and profile, registers them there.
      const fromProfile = loadConfig({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'paysaga' });
      assert.deepEqual([fromProfile.temporal.address, fromProfile.temporal.namespace], [config.temporal.address, namespace]);
      const profileConnection = await Connection.connect(temporalConnectionOptions(fromProfile));
      try {
        await registerSearchAttributes(profileConnection, fromProfile.temporal.namespace);
      } finally {
        await profileConnection.close();
      }
      assert.deepEqual(
        customAttributesSeenByCli()
          .filter((name) => SEARCH_ATTRIBUTE_KEYS.some((key) => key.name === name))
          .sort(),
        ['PaymentId', 'PaymentStatus'],
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
      await connection.operatorService.deleteNamespace({ namespace });
    }
  });

  it('runs a workflow to completion and finds it by a search attribute', async () => {
    const taskQueue = `stack-test-${randomUUID()}`;
    const paymentId = randomUUID();
    const workerConnection = await NativeConnection.connect(temporalConnectionOptions(config));
    const worker = await Worker.create({
      connection: workerConnection,
      namespace: config.temporal.namespace,
      taskQueue,
      workflowBundle,
    });
    const workflowId = `stack-test-${paymentId}`;
    const result = await worker.runUntil(
      client.workflow.execute(markStatus, {
        taskQueue,
        workflowId,
        args: ['PROBED'],
        typedSearchAttributes: [{ key: PaymentIdKey, value: paymentId }],
      }),
    );
    await workerConnection.close();
    assert.equal(result, workflowId);

    // Visibility is eventually consistent: the closed workflow shows up in the index shortly after it ends.
    const query = `PaymentId = '${paymentId}' AND PaymentStatus = 'PROBED' AND ExecutionStatus = 'Completed'`;
    const found: string[] = [];
    for (let attempt = 0; attempt < 100 && found.length === 0; attempt++) {
      for await (const wf of client.workflow.list({ query })) found.push(wf.workflowId);
      if (found.length === 0) await new Promise((r) => setTimeout(r, 100));
    }
    assert.deepEqual(found, [workflowId]);
    const described = await client.workflow.getHandle(workflowId).describe();
    assert.equal(described.typedSearchAttributes.get(PaymentStatusKey), 'PROBED');
  });
});
