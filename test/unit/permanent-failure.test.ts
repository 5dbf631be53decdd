import assert from 'node:assert/strict';
import pg from 'pg';
import { permanentFailure } from '../../db/errors';

const databaseError = (code: string, message: string) => Object.assign(new pg.DatabaseError(message, 0, 'error'), { code });

describe('which failures no retry can fix', () => {
  it('names PostgreSQL data exceptions (22) and integrity constraint violations (23), also wrapped', () => {
    assert.equal(
      permanentFailure(databaseError('22008', 'date/time field value out of range')),
      'PostgreSQL rejected the data: 22008 data exception: date/time field value out of range',
    );
    const wrapped = new Error('handler failed', { cause: databaseError('23514', 'violates check constraint') });
    assert.match(permanentFailure(wrapped) ?? '', /^PostgreSQL rejected the data: 23514 integrity constraint violation/);
  });

  it('names a value out of range on our side', () => {
    assert.match(
      permanentFailure(new RangeError('int8 value 9223372036854775807 exceeds the safe integer range')) ?? '',
      /^value out of range/,
    );
  });

  it('retries unavailability: connection, resources, shutdown, serialization, and anything unknown', () => {
    for (const code of ['08006', '53300', '57P01', '57P03', '40001', '40P01'])
      assert.equal(permanentFailure(databaseError(code, 'unavailable')), undefined, code);
    assert.equal(permanentFailure(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })), undefined);
    assert.equal(permanentFailure(new Error('14 UNAVAILABLE: Temporal frontend down')), undefined);
    assert.equal(permanentFailure('not an error'), undefined);
  });
});
