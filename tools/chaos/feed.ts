/**
 * The legacy core, simulated honestly for the fault suite: each snapshot of an account says its balance as of
 * `asOf` — the opening balance less every live gateway authorization created up to then — and is published
 * late (asOf trails the clock), some twice, some out of order. Honest balances are what make "no overspend"
 * checkable: an account's rule-authorized payments can never exceed its opening balance.
 */
import { randomUUID } from 'node:crypto';
import { envelope, EVENT_TYPES } from '../../contracts/events';
import type { AccountState } from '../../contracts/payment';
import { TOPICS } from '../../contracts/topics';
import type { Pool } from '../../db/pool';
import type { Prng } from './prng';
import type { ResilientProducer } from './producer';
import type { PlannedAccount } from './schedule';

export interface FeedStats {
  published: number;
  duplicates: number;
  reordered: number;
  skippedTicks: number;
}

export class LegacyFeed {
  readonly stats: FeedStats = { published: 0, duplicates: 0, reordered: 0, skippedTicks: 0 };
  private readonly versions = new Map<string, number>();
  /** A snapshot held back to be published after the next one: it then arrives out of order. */
  private readonly heldBack = new Map<string, AccountState>();

  constructor(
    private readonly opts: {
      pool: Pool;
      producer: ResilientProducer;
      accounts: PlannedAccount[];
      currency: string;
      random: Prng;
      /** How far asOf trails the clock: the feed is late. */
      lagMs?: number;
    },
  ) {}

  /** Publishes a snapshot of each account in `accountIds` (silent accounts never get one). */
  async tick(accountIds: Set<string>): Promise<void> {
    const accounts = this.opts.accounts.filter((a) => a.kind !== 'silent' && accountIds.has(a.accountId));
    if (accounts.length === 0) return;
    const asOf = new Date(Date.now() - (this.opts.lagMs ?? 500));
    let authorized: Map<string, number>;
    try {
      authorized = await this.liveAuthorizations(
        accounts.map((a) => a.accountId),
        asOf,
      );
    } catch {
      this.stats.skippedTicks++; // the database is restarting: the legacy core is late once more
      return;
    }
    const records: AccountState[] = [];
    const { random } = this.opts;
    for (const account of accounts) {
      const version = (this.versions.get(account.accountId) ?? 0) + 1;
      this.versions.set(account.accountId, version);
      const state: AccountState = {
        accountId: account.accountId,
        version,
        asOf: asOf.toISOString(),
        status: 'active',
        balance: account.balance - (authorized.get(account.accountId) ?? 0),
        currency: this.opts.currency,
      };
      const held = this.heldBack.get(account.accountId);
      this.heldBack.delete(account.accountId);
      if (!held && random.chance(0.1)) {
        this.heldBack.set(account.accountId, state);
        continue;
      }
      records.push(state);
      if (held) {
        records.push(held);
        this.stats.reordered++;
      }
      if (random.chance(0.2)) {
        records.push({ ...state });
        this.stats.duplicates++;
      }
    }
    await this.opts.producer.send(
      TOPICS.accountStateUpdated,
      records.map((state) => ({
        key: state.accountId,
        value: JSON.stringify(envelope(EVENT_TYPES.accountStateUpdated, randomUUID(), new Date().toISOString(), state)),
      })),
    );
    this.stats.published += records.length;
  }

  private async liveAuthorizations(accountIds: string[], asOf: Date): Promise<Map<string, number>> {
    const { rows } = await this.opts.pool.query<{ account_id: string; amount: number }>(
      `select account_id, sum(amount)::bigint as amount from gateway.authorizations
       where account_id = any($1::text[]) and status = 'authorized' and created_at <= $2 group by account_id`,
      [accountIds, asOf],
    );
    return new Map(rows.map((r) => [r.account_id, r.amount]));
  }
}
