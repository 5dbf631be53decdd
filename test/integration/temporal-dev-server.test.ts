import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
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

  it('has the PaymentId, AccountId and PaymentStatus search attributes registered as Keyword', async () => {
    const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace: config.temporal.namespace });
    for (const key of SEARCH_ATTRIBUTE_KEYS) {
      assert.equal(customAttributes?.[key.name], 2 /* INDEXED_VALUE_TYPE_KEYWORD */, `${key.name} is not a Keyword`);
    }
  });

  it('registers the search attributes in a namespace that lacks them, once', async () => {
    const namespace = `paysaga-setup-test-${randomUUID().slice(0, 8)}`;
    await connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs('1 day') });
    try {
      assert.deepEqual((await registerSearchAttributes(connection, namespace)).sort(), [
        'AccountId',
        'PaymentId',
        'PaymentStatus',
      ]);
      assert.deepEqual(await registerSearchAttributes(connection, namespace), []);
      const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
      for (const key of SEARCH_ATTRIBUTE_KEYS) assert.equal(customAttributes?.[key.name], 2, key.name);
    } finally {
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
