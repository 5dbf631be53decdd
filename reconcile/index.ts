/** Gateway vs ledger vs decided events (reconcile/reconcile.ts). */
export { formatReport, reconcile, type ReconcileOptions, type ReconcileReport } from './reconcile';
