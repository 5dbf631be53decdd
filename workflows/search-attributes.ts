import { defineSearchAttributeKey, SearchAttributeType, type SearchAttributePair } from '@temporalio/common';

/**
 * Custom search attributes of payment workflows, so the Web UI and `temporal workflow list --query` find a
 * saga by payment, account or status. The local stack registers them at start; on a cluster or Temporal Cloud
 * register them once with `temporal operator search-attribute create --name <Name> --type Keyword`.
 */
export const PaymentIdKey = defineSearchAttributeKey('PaymentId', SearchAttributeType.KEYWORD);
export const AccountIdKey = defineSearchAttributeKey('AccountId', SearchAttributeType.KEYWORD);
export const PaymentStatusKey = defineSearchAttributeKey('PaymentStatus', SearchAttributeType.KEYWORD);

export const SEARCH_ATTRIBUTE_KEYS = [PaymentIdKey, AccountIdKey, PaymentStatusKey] as const;

/**
 * What a starter sets at start: the payment's ids, and the status its saga enters in its first task (it does
 * nothing before it), so the saga upserts only when its status changes.
 */
export const initialSearchAttributes = (payment: { paymentId: string; accountId: string }): SearchAttributePair[] => [
  { key: PaymentIdKey, value: payment.paymentId },
  { key: AccountIdKey, value: payment.accountId },
  { key: PaymentStatusKey, value: 'AWAITING_ACCOUNT_STATE' },
];
