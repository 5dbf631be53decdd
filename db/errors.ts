/**
 * Which failures of storing a record no retry can fix. PostgreSQL names every error by a SQLSTATE whose first
 * two characters are its class: class 22 (data exception: a date or number out of range, a NUL byte in text,
 * bad input syntax) and class 23 (integrity constraint violation) say the data is wrong, so the same statement
 * with the same data fails again. A RangeError says the same on our side (db/pool.ts refuses an int8 past
 * JavaScript's safe integers; an impossible date has no ISO form). Everything else (08 connection, 53
 * insufficient resources, 57P0x shutdown, 40 serialization, timeouts, a pool that cannot connect, Temporal
 * unavailable) is a passing unavailability, worth retrying.
 */
import pg from 'pg';

const PERMANENT_CLASSES: Record<string, string> = {
  '22': 'data exception',
  '23': 'integrity constraint violation',
};

/**
 * Why `err` (or an error it wraps) rejects the data for good, e.g. `PostgreSQL rejected the data: 22008 data
 * exception: date/time field value out of range`; undefined when retrying may help.
 */
export function permanentFailure(err: unknown): string | undefined {
  for (let e = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e instanceof RangeError) return `value out of range: ${e.message}`;
    if (!(e instanceof pg.DatabaseError) || !e.code) continue;
    const kind = PERMANENT_CLASSES[e.code.slice(0, 2)];
    if (kind) return `PostgreSQL rejected the data: ${e.code} ${kind}: ${e.message}`;
  }
  return undefined;
}
