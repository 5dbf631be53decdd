/**
 * Build v2 of the drill: the repo's saga with a change that `patched()` does not guard, a timer as the first
 * thing authorizePayment does. Replaying a v1 history on it fails: v1's first recorded command is the marker of
 * its first patch, where v2 now starts a timer ("Non-deprecated patch marker encountered for change
 * local-database-steps, but there is no corresponding change command"). A new saga on v2 is fine. This is the
 * change Worker Versioning has to keep away from the sagas already waiting.
 */
import fs from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { FAILURE_CONVERTER_PATH } from '../../temporal/codec';
import { WORKFLOW_INTERCEPTOR_MODULES } from '../../workers/worker';

const ROOT = path.resolve(__dirname, '../..');
const WORKFLOWS_DIR = path.join(ROOT, 'workflows');
/**
 * The copy of workflows/ is a sibling of it in the repo root, so that its `../contracts` imports resolve as they
 * do from workflows/ (.gitignore lists it; it lives only while the bundle is built).
 */
export const V2_DIR_PREFIX = 'workflows.deploy-drill-';

const SAGA_FILE = 'authorize-payment.ts';
// The destructured parameter has braces but no parenthesis, so `[^)]*` spans it; `[^{]*\{` is the return type and the body's brace.
const SAGA_BODY = /export async function authorizePayment\([^)]*\)[^{]*\{/g;
const WORKFLOW_IMPORT = /import \{([^}]*)\} from '@temporalio\/workflow';/g;
// A name of its own: the saga's module may define a `sleep` some day.
const TIMER = 'deployDrillSleep';

const exactlyOnce = (source: string, pattern: RegExp, what: string) => {
  const found = source.match(pattern)?.length ?? 0;
  // A refactor of the saga must fail the drill loudly, not build a v2 that is v1.
  if (found !== 1) throw new Error(`deploy drill: expected one ${what} in workflows/${SAGA_FILE}, found ${found}`);
};

/** The saga's source with `await sleep(1)` as the first statement of authorizePayment. */
export function withLeadingTimer(source: string): string {
  exactlyOnce(source, SAGA_BODY, 'authorizePayment declaration');
  exactlyOnce(source, WORKFLOW_IMPORT, "import from '@temporalio/workflow'");
  return source
    .replace(
      WORKFLOW_IMPORT,
      (_all, names: string) => `import {${names.replace(/,?\s*$/, '')}, sleep as ${TIMER} } from '@temporalio/workflow';`,
    )
    .replace(SAGA_BODY, (head) => `${head}\n  await ${TIMER}(1); // deploy drill: an unpatched change\n`);
}

/** The v2 workflow bundle, built like the prebuilt one (tools/scripts/bundle-workflows.ts) from a changed copy. */
export async function bundleIncompatibleSaga(runId: string): Promise<string> {
  const dir = path.join(ROOT, `${V2_DIR_PREFIX}${runId}`);
  try {
    fs.cpSync(WORKFLOWS_DIR, dir, { recursive: true });
    const file = path.join(dir, SAGA_FILE);
    fs.writeFileSync(file, withLeadingTimer(fs.readFileSync(file, 'utf8')));
    const { code } = await bundleWorkflowCode({
      workflowsPath: path.join(dir, 'index.ts'),
      workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES,
      failureConverterPath: FAILURE_CONVERTER_PATH,
      logger: new DefaultLogger('ERROR'),
    });
    return code;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
