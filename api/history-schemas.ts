/** The answer of GET /payments/:id/history (operators), as zod schemas; also in the OpenAPI document. */
import { z } from 'zod';
import { paymentSummary } from './schemas';

/** What an entry of a payment's history tells: from the saga's Temporal history or from the database. */
export const HISTORY_ENTRY_KINDS = [
  'request',
  'status',
  'decision',
  'account-state',
  'timer',
  'override-signal',
  'override',
  'reservation',
  'gateway-call',
  'ledger-entry',
  'webhook-delivery',
] as const;

export const paymentHistoryEntry = z
  .object({
    at: z.string(),
    kind: z.enum(HISTORY_ENTRY_KINDS),
    source: z.enum(['saga', 'database']),
    title: z.string().meta({ description: 'one line for a person' }),
    detail: z.record(z.string(), z.unknown()).meta({ description: "the entry's facts; amounts in minor units" }),
  })
  .meta({ id: 'PaymentHistoryEntry' });

export const paymentHistory = z
  .object({
    paymentId: z.string(),
    workflowId: z.string(),
    temporalUiUrl: z.string().meta({ description: 'the saga in the Temporal Web UI' }),
    sagaHistory: z
      .enum(['available', 'unavailable'])
      .meta({ description: "whether the saga's entries are in: without them the answer comes from the database alone" }),
    sagaHistoryReason: z.string().nullable().meta({ description: "why the saga's history is unavailable; null when it is not" }),
    payment: paymentSummary,
    entries: z.array(paymentHistoryEntry),
  })
  .meta({
    id: 'PaymentHistory',
    description:
      "everything that happened to a payment, oldest first: the saga's account states (used or ignored, and why), " +
      'timers, gateway calls and override signals, and from the database its request, decision, overrides, ' +
      'reservation, ledger entries and webhook deliveries',
  });

export type PaymentHistoryEntry = z.infer<typeof paymentHistoryEntry>;
