import assert from 'node:assert/strict';
import { formatMinorUnits } from '../../contracts/money';

describe('formatMinorUnits: integer minor units shown in major units', () => {
  it('uses the currency\'s own minor-unit digits (EUR 2, JPY 0, BHD 3)', () => {
    assert.equal(formatMinorUnits(1_250, 'EUR'), '12.50 EUR');
    assert.equal(formatMinorUnits(5, 'EUR'), '0.05 EUR');
    assert.equal(formatMinorUnits(500, 'JPY'), '500 JPY');
    assert.equal(formatMinorUnits(1, 'BHD'), '0.001 BHD');
  });

  it('is exact up to the largest safe integer (no float arithmetic)', () => {
    assert.equal(formatMinorUnits(Number.MAX_SAFE_INTEGER, 'EUR'), '90071992547409.91 EUR');
  });
});
