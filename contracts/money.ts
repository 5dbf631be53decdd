/** Money for people to read: integer minor units shown in major units, exactly (no float arithmetic). */

/** ISO 4217 minor-unit digits as the runtime's ICU knows them: 2 for EUR, 0 for JPY, 3 for BHD. */
export function minorUnitDigits(currency: string): number {
  return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
}

/** 1250 EUR → "12.50 EUR", 500 JPY → "500 JPY", 1 BHD → "0.001 BHD". */
export function formatMinorUnits(amount: number, currency: string): string {
  const digits = minorUnitDigits(currency);
  const sign = amount < 0 ? '-' : '';
  const minor = String(Math.abs(amount)).padStart(digits + 1, '0');
  const major = digits === 0 ? minor : `${minor.slice(0, -digits)}.${minor.slice(-digits)}`;
  return `${sign}${major} ${currency}`;
}
