import assert from 'node:assert/strict';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { beforeColdStart } from '../cold-start';

const root = path.resolve(__dirname, '../..');

/** The project's eslint.config.mjs; import rules need no type information. */
const eslint = new ESLint({ cwd: root, overrideConfig: tseslint.configs.disableTypeChecked });

/** Lints source as a workflow file that is not on disk. */
async function lintWorkflow(source: string): Promise<ESLint.LintResult> {
  const [result] = await eslint.lintText(source, { filePath: path.join(root, 'workflows', 'lint-probe.ts') });
  return result!;
}

describe('lint: workflow code imports no Node built-in', () => {
  // The first lint loads the config, its plugins and the TypeScript parser.
  beforeColdStart('ESLint loaded', async () => void (await lintWorkflow('export {};\n')));

  it('reports every Node built-in, as x and as node:x', async () => {
    const names = builtinModules.flatMap((name) => (name.startsWith('node:') ? [name] : [name, `node:${name}`]));
    const source = names.map((name, i) => `import * as m${i} from '${name}';\nexport { m${i} };\n`).join('');
    const { messages } = await lintWorkflow(source);
    const reported = new Set(messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => names[(m.line - 1) / 2]));
    const allowed = names.filter((name) => !reported.has(name));
    assert.deepEqual(allowed, [], 'built-ins a workflow may still import');
  });

  it('allows the workflow API and type-only imports from activities', async () => {
    const { messages } = await lintWorkflow(
      "import { condition } from '@temporalio/workflow';\nimport type { Activities } from '../activities';\nexport type A = Activities;\nexport { condition };\n",
    );
    assert.deepEqual(messages, []);
  });
});
