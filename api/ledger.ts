/** Ledger views for operators (DESIGN.md §2): a ledger account's balances and journal, and the trial balance. */
import { Router, type Request, type Response } from 'express';
import type { Pool } from '../db/pool';
import { accountBalances, accountJournal, trialBalance } from '../ledger/views';
import { fieldErrors, problem } from './problem';
import { journalQuery, ledgerAccountName } from './schemas';

export function ledgerRoutes(opts: {
  pool: Pool;
  requireRole: (...roles: ('client' | 'operator')[]) => (req: Request, res: Response, next: () => void) => unknown;
}): Router {
  const { pool, requireRole } = opts;
  const router = Router();

  router.get('/ledger/trial-balance', requireRole('operator'), async (_req, res) => void res.json(await trialBalance(pool)));

  // Ledger account names: customer:<accountId>, merchant:<merchantId>:pending (ledger/accounts.ts).
  router.get('/ledger/accounts/:ledgerAccount', requireRole('operator'), async (req: Request<{ ledgerAccount: string }>, res) => {
    const name = ledgerAccountName.safeParse(req.params.ledgerAccount);
    const query = journalQuery.safeParse(req.query);
    if (!name.success || !query.success)
      return problem(res, 400, 'invalid query', { errors: query.success ? [] : fieldErrors(query.error) });
    const { limit, cursor } = query.data;
    const balances = await accountBalances(pool, name.data);
    if (balances.length === 0) return problem(res, 404, 'no entries for this ledger account');
    const entries = await accountJournal(pool, name.data, { limit: limit + 1, beforeEntryId: cursor });
    const page = entries.slice(0, limit);
    res.json({
      ledgerAccount: name.data,
      balances,
      journal: page,
      nextCursor: entries.length > limit ? String(page.at(-1)!.entryId) : null,
    });
  });

  return router;
}
