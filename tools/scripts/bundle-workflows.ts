/** Writes dist/workflow-bundle.js, which the worker loads in production instead of bundling at start. */
import fs from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { FAILURE_CONVERTER_PATH } from '../../temporal/codec';
import { WORKFLOW_INTERCEPTOR_MODULES, WORKFLOWS_PATH } from '../../workers/worker';

async function main(): Promise<void> {
  const { code } = await bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES,
    // The worker's failure converter runs in the sandbox: a prebuilt bundle carries it.
    failureConverterPath: FAILURE_CONVERTER_PATH,
  });
  const target = path.resolve(__dirname, '../..', 'dist', 'workflow-bundle.js');
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(target, code);
  console.log(`workflow bundle: ${target} (${Math.round(code.length / 1024)} KiB)`);
}

void main();
