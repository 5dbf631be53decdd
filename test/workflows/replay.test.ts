/**
 * Replays the recorded history of every saga path through the current workflow code: a change that is not
 * replay-safe (a reordered activity, a new timer without patching) fails here before it reaches a worker
 * with running payments. Re-record after an intended change: RECORD_HISTORIES=1 npx mocha test/workflows.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { EncryptionCodec, FAILURE_CONVERTER_PATH } from '../../temporal/codec';
import { WORKFLOWS_PATH } from '../../workers/worker';
import { HISTORIES_DIR, LOCAL_STEPS_HISTORIES_DIR, REVISION_HISTORIES_DIR } from './saga-harness';

const PATHS = [
  'authorized-fresh-state-recorded',
  'authorized-fresh-state-signalled',
  'authorized-state-an-hour-late',
  'declined-after-stale-duplicate-out-of-order',
  'declined-account-state-timeout',
  'authorized-review-operator-approves',
  'declined-review-expired',
  'authorized-override-approve-while-waiting',
  'declined-override-decline-while-waiting',
  // Recorded before a decline during AUTHORIZING was applied: it ignored one, and must replay so (patched).
  'authorized-override-after-decision-ignored',
  'declined-override-decline-while-authorizing',
  'declined-gateway-decline-stands-over-override',
  'authorized-override-approve-while-authorizing',
  'declined-duplicate-override',
  'declined-insufficient-funds',
  'declined-account-frozen',
  'declined-account-closed',
  'declined-currency-mismatch',
  'authorized-after-two-gateway-failures',
  'authorized-after-dropped-response',
  'declined-gateway-hard-decline',
  'declined-gateway-down-compensated',
  'declined-gateway-hung-past-budget',
];

/** Recorded by the current code: the database steps as local activities, search attributes set at start. */
const LOCAL_STEPS_PATHS = [
  ...PATHS.filter((p) => p !== 'authorized-override-after-decision-ignored'),
  'authorized-local-steps-signalled',
  // Recorded before entering review wrote its timeline row (patched): they entered it without a step.
  'authorized-review-operator-approves-before-review-row',
  'declined-review-expired-before-review-row',
  // A first workflow task lost with its worker, and an override before another worker took the task.
  'authorized-override-after-lost-first-task',
  'declined-override-after-lost-first-task',
];

/**
 * Recorded by the current code, sagas started at the current revision (workflows/shared.ts): no patch markers, and the
 * first step reserving at once on fresh state. Every path above, but those of code before the revision.
 */
const REVISION_PATHS = LOCAL_STEPS_PATHS.filter((p) => !p.endsWith('-before-review-row'));

const load = (dir: string, names: string[]) =>
  names.map((name) => ({
    workflowId: `${path.basename(dir)}/${name}`,
    history: historyFromJSON(JSON.parse(fs.readFileSync(path.join(dir, `${name}.json`), 'utf8'))),
  }));

describe('replay of recorded saga histories', function () {
  this.timeout(120_000);

  it('has a recorded history for every path', () => {
    const recorded = (dir: string) => fs.readdirSync(dir).map((f) => path.basename(f, '.json'));
    assert.deepEqual(
      PATHS.filter((p) => !recorded(HISTORIES_DIR).includes(p)),
      [],
    );
    assert.deepEqual(
      LOCAL_STEPS_PATHS.filter((p) => !recorded(LOCAL_STEPS_HISTORIES_DIR).includes(p)),
      [],
    );
    assert.deepEqual(
      REVISION_PATHS.filter((p) => !recorded(REVISION_HISTORIES_DIR).includes(p)),
      [],
    );
  });

  it('replays every history through the current workflow code without nondeterminism', async () => {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
    const histories = [
      ...load(HISTORIES_DIR, PATHS),
      ...load(LOCAL_STEPS_HISTORIES_DIR, LOCAL_STEPS_PATHS),
      ...load(REVISION_HISTORIES_DIR, REVISION_PATHS),
    ];
    const failures: string[] = [];
    let replayed = 0;
    for await (const result of Worker.runReplayHistories({ workflowsPath: WORKFLOWS_PATH }, histories)) {
      replayed++;
      if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
    }
    assert.equal(replayed, histories.length);
    assert.deepEqual(failures, []);
  });

  it('replays every history, recorded in plain JSON before the payload codec, through the codec a worker now has', async () => {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
    const histories = [
      ...load(HISTORIES_DIR, PATHS),
      ...load(LOCAL_STEPS_HISTORIES_DIR, LOCAL_STEPS_PATHS),
      ...load(REVISION_HISTORIES_DIR, REVISION_PATHS),
    ];
    const codec = new EncryptionCodec([{ id: 'replay-test', key: randomBytes(32) }]);
    const dataConverter = { payloadCodecs: [codec], failureConverterPath: FAILURE_CONVERTER_PATH };
    const failures: string[] = [];
    let replayed = 0;
    for await (const result of Worker.runReplayHistories({ workflowsPath: WORKFLOWS_PATH, dataConverter }, histories)) {
      replayed++;
      if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
    }
    assert.equal(replayed, histories.length);
    assert.deepEqual(failures, []);
  });
});
