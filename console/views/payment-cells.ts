/** The cells that say which payment a row is, the same on every list of the console. */
import { h, statusBadge } from '../dom';
import { money } from './money';

export const paymentHeadings = ['Payment', 'Amount', 'Account', 'Merchant', 'Status'];

export function paymentCells(p: {
  paymentId: string;
  amount: number;
  currency: string;
  accountId: string;
  merchantId: string;
  status: string;
}): HTMLTableCellElement[] {
  return [
    h('td', {}, h('a', { href: `#/payments/${encodeURIComponent(p.paymentId)}`, class: 'mono' }, p.paymentId)),
    h('td', { class: 'num' }, money(p.amount, p.currency)),
    h('td', {}, p.accountId),
    h('td', {}, p.merchantId),
    h('td', {}, statusBadge(p.status)),
  ];
}
