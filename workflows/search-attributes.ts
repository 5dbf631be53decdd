import { defineSearchAttributeKey, SearchAttributeType, type SearchAttributePair } from '@temporalio/common';

/**
 * Custom search attributes of payment workflows, so the Web UI and `temporal workflow list --query` find a
 * saga by payment or status. The local stack registers them at start; on a cluster or Temporal Cloud register
 * them once with `temporal operator search-attribute create --name <Name> --type Keyword`.
 *
 * Search attributes are the one part of a saga the payload codec cannot encrypt (Temporal indexes them), so
 * they hold nothing about the customer: the payment's id (random, paysaga's own) and its status. Sagas started
 * before the codec also carry an AccountId attribute; an account's payments are found through paysaga's own
 * api (`GET /payments?accountId=`), which is access-controlled (docs/security.md).
 */
export const PaymentIdKey = defineSearchAttributeKey('PaymentId', SearchAttributeType.KEYWORD);
export const PaymentStatusKey = defineSearchAttributeKey('PaymentStatus', SearchAttributeType.KEYWORD);

export const SEARCH_ATTRIBUTE_KEYS = [PaymentIdKey, PaymentStatusKey] as const;

/**
 * What a starter sets at start: the payment's ids, and the status its saga enters in its first task (it does
 * nothing before it), so the saga upserts only when its status changes.
 */
export const initialSearchAttributes = (payment: { paymentId: string }): SearchAttributePair[] => [
  { key: PaymentIdKey, value: payment.paymentId },
  { key: PaymentStatusKey, value: 'AWAITING_ACCOUNT_STATE' },
];
