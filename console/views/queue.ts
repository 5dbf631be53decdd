/**
 * The review queue: payments waiting for account state or in PENDING_REVIEW, soonest deadline first, with
 * filters; reloaded whenever any payment's timeline changes (the api's list stream).
 */
import { debounce, follow } from '../live';
import { h, relative, show } from '../dom';
import { api, ok, type Schemas } from '../http';
import type { Page, PageContext } from '../main';
import { paymentCells, paymentHeadings } from './payment-cells';

type QueueEntry = Schemas['ReviewQueue']['payments'][number];
type QueueStatus = 'AWAITING_ACCOUNT_STATE' | 'PENDING_REVIEW';

export function queuePage({ root }: PageContext): Page {
  const status = h(
    'select',
    { id: 'filter-status', onchange: () => void reload() },
    h('option', { value: '' }, 'waiting or in review'),
    h('option', { value: 'AWAITING_ACCOUNT_STATE' }, 'awaiting account state'),
    h('option', { value: 'PENDING_REVIEW' }, 'pending review'),
  );
  const accountId = h('input', { id: 'filter-account', placeholder: 'account id', oninput: () => reloadSoon() });
  const merchantId = h('input', { id: 'filter-merchant', placeholder: 'merchant id', oninput: () => reloadSoon() });
  const liveState = h('span', { class: 'live off', id: 'live' }, 'connecting');
  const summary = h('p', { class: 'muted', id: 'queue-summary' });
  const body = h('tbody', {});
  const error = h('p', { class: 'error', role: 'alert' });
  show(
    root,
    h('h1', {}, 'Review queue ', liveState),
    h('form', { class: 'filters', onsubmit: (e: Event) => e.preventDefault() }, status, accountId, merchantId),
    summary,
    error,
    h(
      'table',
      { id: 'queue' },
      h('thead', {}, h('tr', {}, ...[...paymentHeadings, 'Waiting', 'Deadline'].map((t) => h('th', {}, t)))),
      body,
    ),
  );

  const row = (p: QueueEntry) =>
    h(
      'tr',
      { 'data-payment-id': p.paymentId },
      paymentCells(p),
      h('td', {}, relative(p.waitingSince, 'since')),
      h('td', {}, p.deadline ? relative(p.deadline, 'until') : '—'),
    );

  let generation = 0;
  async function reload() {
    const mine = ++generation;
    try {
      const queue = ok(
        await api.GET('/review-queue', {
          params: {
            query: {
              ...(status.value && { status: status.value as QueueStatus }),
              ...(accountId.value.trim() && { accountId: accountId.value.trim() }),
              ...(merchantId.value.trim() && { merchantId: merchantId.value.trim() }),
            },
          },
        }),
      );
      if (mine !== generation) return; // a newer reload has started
      show(error);
      show(
        body,
        queue.payments.length ? queue.payments.map(row) : h('tr', {}, h('td', { colspan: 7, class: 'muted' }, 'Nothing waits.')),
      );
      show(summary, `${queue.total} payment(s) waiting; ${queue.payments.length} shown, soonest deadline first.`);
    } catch (err) {
      show(error, (err as Error).message);
    }
  }
  const reloadSoon = debounce(() => void reload(), 250);

  void reload();
  const stop = follow('/payment-events', {
    onEvent: reloadSoon,
    onState: (live) => {
      liveState.className = live ? 'live on' : 'live off';
      show(liveState, live ? 'live' : 'reconnecting');
      if (live) reloadSoon(); // catch up on what happened while the stream was away
    },
  });
  return { stop };
}
