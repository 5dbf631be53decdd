/**
 * Retention of the saga's own records (DESIGN.md §8): released reservations and decision records a day
 * older than anything an event topic can replay. (Reservations still held or authorized are never deleted:
 * they count against an account's funds until released.)
 */
import type { Pool } from './pool';
import { applyReservationRetention } from './reservations';

export async function applySagaRecordRetention(
  pool: Pool,
  retentionMs: number,
): Promise<{ decisions: number; reservations: number }> {
  const cutoff = 'now() - make_interval(secs => $1 / 1000.0)';
  const decisions = await pool.query(`delete from payment_decisions where decided_at < ${cutoff}`, [retentionMs]);
  const reservations = await applyReservationRetention(pool, retentionMs);
  return { decisions: decisions.rowCount ?? 0, reservations };
}
