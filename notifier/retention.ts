/** Retention of webhooks (DESIGN.md §8): delivered ones and dead letters older than WEBHOOK_RETENTION. */
import type { Pool } from '../db/pool';

export async function applyWebhookRetention(
  pool: Pool,
  retentionMs: number,
): Promise<{ delivered: number; deadLetters: number }> {
  const interval = 'make_interval(secs => $1 / 1000.0)';
  const delivered = await pool.query(
    `delete from webhook_deliveries where status = 'delivered' and delivered_at < now() - ${interval}`,
    [retentionMs],
  );
  const dead = await pool.query(`delete from webhook_dead_letters where dead_lettered_at < now() - ${interval}`, [retentionMs]);
  return { delivered: delivered.rowCount ?? 0, deadLetters: dead.rowCount ?? 0 };
}
