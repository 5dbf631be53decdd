/** Search by payment, account or merchant id: the payment of that id, and the newest payments of that account or merchant. */
import { dateTime, h, show } from '../dom';
import { api, ok, type Schemas } from '../http';
import type { Page, PageContext } from '../main';
import { paymentCells, paymentHeadings } from './payment-cells';

type Summary = Schemas['PaymentSummary'];

export function searchPage({ root }: PageContext, initial: string): Page {
  const query = h('input', {
    id: 'search-query',
    type: 'search',
    placeholder: 'payment, account or merchant id',
    value: initial,
  });
  const results = h('div', { id: 'search-results' });
  show(
    root,
    h('h1', {}, 'Search'),
    h(
      'form',
      {
        class: 'filters',
        onsubmit: (e: Event) => {
          e.preventDefault();
          location.hash = `#/search?q=${encodeURIComponent(query.value.trim())}`;
        },
      },
      query,
      h('button', { type: 'submit' }, 'Search'),
    ),
    results,
  );
  if (initial) void search(initial.trim(), results);
  else query.focus();
  return { stop: () => undefined };
}

async function search(q: string, results: HTMLElement) {
  show(results, h('p', { class: 'muted' }, 'Searching…'));
  try {
    const [byId, byAccount, byMerchant] = await Promise.all([
      api.GET('/payments/{paymentId}', { params: { path: { paymentId: q } } }),
      api.GET('/payments', { params: { query: { accountId: q, limit: 50 } } }),
      api.GET('/payments', { params: { query: { merchantId: q, limit: 50 } } }),
    ]);
    const found = new Map<string, Summary>();
    if (byId.data) found.set(byId.data.paymentId, byId.data);
    // An id that is not a valid account or merchant id is answered 400: nothing found that way.
    for (const list of [byAccount, byMerchant]) if (list.data) for (const p of list.data.payments) found.set(p.paymentId, p);
    if (byAccount.response.status >= 500) ok(byAccount);
    if (found.size === 0) return show(results, h('p', { class: 'muted' }, `No payment, account or merchant ${q}.`));
    show(
      results,
      h(
        'table',
        {},
        h('thead', {}, h('tr', {}, ...[...paymentHeadings, 'Requested'].map((t) => h('th', {}, t)))),
        h(
          'tbody',
          {},
          [...found.values()].map((p) =>
            h('tr', { 'data-payment-id': p.paymentId }, paymentCells(p), h('td', {}, dateTime(p.requestedAt))),
          ),
        ),
      ),
    );
  } catch (err) {
    show(results, h('p', { class: 'error' }, (err as Error).message));
  }
}
