import assert from 'node:assert/strict';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import { isAlreadyStarted } from '../../temporal/start-payment';

describe('temporal/start-payment: one check for "the workflow id is taken"', () => {
  it("recognises the SDK's error, and one of that name thrown through another copy of the SDK", () => {
    assert.equal(isAlreadyStarted(new WorkflowExecutionAlreadyStartedError('taken', 'payment-1', 'authorizePayment')), true);
    const foreign = Object.assign(new Error('Workflow execution already started'), {
      name: 'WorkflowExecutionAlreadyStartedError',
    });
    assert.equal(isAlreadyStarted(foreign), true);
  });

  it('says no to any other failure, and to what is not an error', () => {
    assert.equal(isAlreadyStarted(new WorkflowNotFoundError('gone', 'payment-1', undefined)), false);
    assert.equal(isAlreadyStarted(new Error('connect ECONNREFUSED')), false);
    assert.equal(isAlreadyStarted(undefined), false);
    assert.equal(isAlreadyStarted('WorkflowExecutionAlreadyStartedError'), false);
  });
});
