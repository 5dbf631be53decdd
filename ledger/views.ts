/**
 * Views of the double-entry ledger (DESIGN.md §2, §7.4): each ledger account's balance per currency and its
 * journal, and the trial balance of all accounts. Balances are computed from the entries, never stored, so
 * they cannot drift from them. balance = debits − credits (a customer's held funds show as a debit).
 */
import type { Pool } from '../db/pool';

export interface Balance {
  currency: string;
  debits: number;
  credits: number;
  balance: number;
}

export interface JournalEntry {
  entryId: number;
  transactionId: string;
  paymentId: string;
  kind: string;
  direction: 'debit' | 'credit';
  amount: number;
  currency: string;
  /** The other side of the posting. */
  counterparts: string[];
  at: string;
}

const BALANCE_COLUMNS = `currency,
  coalesce(sum(amount) filter (where direction = 'debit'), 0)::bigint as debits,
  coalesce(sum(amount) filter (where direction = 'credit'), 0)::bigint as credits`;

const balanceOf = (r: { currency: string; debits: number; credits: number }): Balance => ({
  currency: r.currency.trim(),
  debits: r.debits,
  credits: r.credits,
  balance: r.debits - r.credits,
});

export async function accountBalances(pool: Pool, ledgerAccount: string): Promise<Balance[]> {
  const { rows } = await pool.query(
    `select ${BALANCE_COLUMNS} from ledger_entries where ledger_account = $1 group by currency order by currency`,
    [ledgerAccount],
  );
  return rows.map(balanceOf);
}

/** The account's entries, newest first; `beforeEntryId` continues from the previous page. */
export async function accountJournal(
  pool: Pool,
  ledgerAccount: string,
  page: { limit: number; beforeEntryId?: number },
): Promise<JournalEntry[]> {
  const { rows } = await pool.query(
    `select e.id, e.transaction_id, t.payment_id, t.kind, e.direction, e.amount, e.currency, t.created_at,
            array(select o.ledger_account from ledger_entries o
                  where o.transaction_id = e.transaction_id and o.direction <> e.direction order by o.id) as counterparts
     from ledger_entries e join ledger_transactions t using (transaction_id)
     where e.ledger_account = $1 and ($2::bigint is null or e.id < $2)
     order by e.id desc limit $3`,
    [ledgerAccount, page.beforeEntryId ?? null, page.limit],
  );
  return rows.map((r) => ({
    entryId: r.id,
    transactionId: r.transaction_id,
    paymentId: r.payment_id,
    kind: r.kind,
    direction: r.direction,
    amount: r.amount,
    currency: r.currency.trim(),
    counterparts: r.counterparts,
    at: (r.created_at as Date).toISOString(),
  }));
}

/** Every ledger account's balance per currency, and the totals: debits equal credits in a sound ledger. */
export async function trialBalance(pool: Pool) {
  const accounts = await pool.query(
    `select ledger_account, ${BALANCE_COLUMNS} from ledger_entries group by ledger_account, currency order by ledger_account, currency`,
  );
  const totals = await pool.query(`select ${BALANCE_COLUMNS} from ledger_entries group by currency order by currency`);
  return {
    accounts: accounts.rows.map((r) => ({ ledgerAccount: r.ledger_account as string, ...balanceOf(r) })),
    totals: totals.rows.map(balanceOf),
    balanced: totals.rows.every((r) => r.debits === r.credits),
  };
}

/** An authorization hold as the ledger recorded it, for reconciliation. */
export interface LedgerHold {
  paymentId: string;
  transactionId: string;
  /** Debited (customer) and credited (merchant) ledger accounts, and the amount, per the entries. */
  debitAccounts: string[];
  creditAccounts: string[];
  amount: number;
  currency: string;
  balanced: boolean;
  at: string;
}

/** The authorization holds of these payments, or of every payment whose hold was posted in [from, to). */
export async function authorizationHolds(
  pool: Pool,
  scope: { paymentIds?: string[]; from?: Date; to?: Date },
): Promise<LedgerHold[]> {
  const { rows } = await pool.query(
    `select t.payment_id, t.transaction_id, t.created_at,
            array_agg(e.ledger_account order by e.id) filter (where e.direction = 'debit') as debit_accounts,
            array_agg(e.ledger_account order by e.id) filter (where e.direction = 'credit') as credit_accounts,
            coalesce(sum(e.amount) filter (where e.direction = 'debit'), 0)::bigint as debits,
            coalesce(sum(e.amount) filter (where e.direction = 'credit'), 0)::bigint as credits,
            min(e.currency) as currency, count(distinct e.currency)::int as currencies
     from ledger_transactions t left join ledger_entries e using (transaction_id)
     where t.kind = 'authorization_hold'
       and (t.payment_id = any($1::text[]) or (t.created_at >= $2 and t.created_at < $3))
     group by t.payment_id, t.transaction_id, t.created_at`,
    [scope.paymentIds ?? [], scope.from ?? null, scope.to ?? null],
  );
  return rows.map((r) => ({
    paymentId: r.payment_id,
    transactionId: r.transaction_id,
    debitAccounts: r.debit_accounts ?? [],
    creditAccounts: r.credit_accounts ?? [],
    amount: r.debits,
    currency: (r.currency ?? '').trim(),
    balanced: r.debits === r.credits && r.currencies <= 1,
    at: (r.created_at as Date).toISOString(),
  }));
}
