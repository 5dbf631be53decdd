/**
 * One payment: what it is, where its saga stands, approve or decline with a reason, and its whole story
 * (the api's history: saga events and database records) with a link to the saga in the Temporal Web UI.
 * Follows the payment's event stream until its decision.
 */
import { DECISIONS, debounce, follow } from '../live';
import { dateTime, h, show, statusBadge } from '../dom';
import { api, newKey, ok, type Schemas } from '../http';
import type { Page, PageContext } from '../main';
import { money } from './money';

type View = Schemas['Payment'];
type History = Schemas['PaymentHistory'];

export function paymentPage({ root, session }: PageContext, paymentId: string): Page {
  const head = h('div', { id: 'payment-head' });
  const actions = h('div', { id: 'payment-actions' });
  const outcome = h('p', { id: 'override-outcome', role: 'status' });
  const story = h('div', { id: 'payment-history' });
  const error = h('p', { class: 'error', role: 'alert' });
  show(root, head, error, actions, outcome, h('h2', {}, 'Timeline'), story);

  let decided = false;
  /** Set once the operator sent an override from this page: its outcome is then shown when the saga decides. */
  let overrideSent = false;
  const showDecided = (decision: string, reason: string | null) =>
    show(outcome, h('strong', {}, `Decided: ${decision}`), reason ? ` (${reason})` : '');

  async function reload() {
    try {
      const [view, history] = await Promise.all([
        api.GET('/payments/{paymentId}', { params: { path: { paymentId } } }).then(ok),
        api.GET('/payments/{paymentId}/history', { params: { path: { paymentId } } }).then(ok),
      ]);
      show(error);
      renderHead(view, history);
      decided = view.decision !== null;
      if (decided) {
        if (overrideSent) showDecided(view.decision!, view.reason);
        show(actions);
        stopStream();
      } else if (!actions.hasChildNodes()) renderActions();
      renderHistory(history);
    } catch (err) {
      show(error, (err as Error).message);
    }
  }
  const reloadSoon = debounce(() => void reload(), 200);

  function renderHead(view: View, history: History) {
    const state = view.decision ?? view.timeline.at(-1)?.status ?? view.status;
    show(
      head,
      h('h1', {}, 'Payment ', h('span', { class: 'mono' }, view.paymentId), ' ', statusBadge(state)),
      h(
        'dl',
        { class: 'facts' },
        fact('Amount', money(view.amount, view.currency)),
        fact('Account', view.accountId),
        fact('Merchant', view.merchantId),
        fact('Requested', dateTime(view.requestedAt)),
        view.decision && fact('Decision', `${view.decision} (${view.reason ?? ''}, by ${view.decidedBy ?? ''})`),
        view.gatewayAuthorizationId && fact('Gateway authorization', view.gatewayAuthorizationId),
        fact(
          'Saga',
          h(
            'a',
            {
              href: history.temporalUiUrl || `${session.temporalUiUrl}/payment-${paymentId}`,
              target: '_blank',
              rel: 'noopener',
              id: 'temporal-link',
            },
            `${history.workflowId} in the Temporal Web UI`,
          ),
        ),
      ),
    );
  }

  function renderActions() {
    const reason = h('input', {
      id: 'override-reason',
      placeholder: 'reason (recorded in the audit log)',
      required: true,
      maxlength: 500,
    });
    const send = (decision: 'approve' | 'decline') => async () => {
      if (!reason.value.trim()) return show(outcome, h('span', { class: 'error' }, 'A reason is required.'));
      show(outcome, 'Sending…');
      try {
        const answer = ok(
          await api.POST('/payments/{paymentId}/override', {
            params: { path: { paymentId }, header: { 'Idempotency-Key': newKey() } },
            body: { decision, reason: reason.value.trim() },
          }),
        );
        overrideSent = true;
        show(outcome, answer.detail, ' Waiting for the saga to apply it…');
      } catch (err) {
        show(outcome, h('span', { class: 'error' }, (err as Error).message));
      }
    };
    show(
      actions,
      h(
        'form',
        { class: 'override', onsubmit: (e: Event) => e.preventDefault() },
        reason,
        h('button', { type: 'button', id: 'approve', onclick: () => void send('approve')() }, 'Approve'),
        h('button', { type: 'button', id: 'decline', class: 'danger', onclick: () => void send('decline')() }, 'Decline'),
      ),
    );
  }

  function renderHistory(history: History) {
    show(
      story,
      history.sagaHistory === 'unavailable' &&
        h('p', { class: 'muted' }, `Saga history unavailable: ${history.sagaHistoryReason ?? ''}. Database records only.`),
      h(
        'ol',
        { class: 'timeline' },
        history.entries.map((e) =>
          h(
            'li',
            { class: `entry kind-${e.kind}`, 'data-kind': e.kind },
            h('time', { datetime: e.at, title: dateTime(e.at) }, dateTime(e.at)),
            h('span', { class: 'kind' }, e.kind),
            h('span', { class: 'title' }, e.title),
            details(e.detail),
          ),
        ),
      ),
    );
  }

  const stopStream = follow(`/payments/${encodeURIComponent(paymentId)}/events`, {
    onEvent: (event) => {
      if (DECISIONS.includes(event.status)) {
        stopStream(); // the stream ends after the decision; without this the browser would reconnect
        if (overrideSent) showDecided(event.status, typeof event.detail.reason === 'string' ? event.detail.reason : null);
      }
      reloadSoon();
    },
  });
  void reload();
  return { stop: stopStream };
}

const fact = (name: string, value: Node | string) => [h('dt', {}, name), h('dd', {}, value)];

function details(detail: Record<string, unknown>) {
  const entries = Object.entries(detail).filter(([, v]) => v !== null && v !== undefined && v !== '');
  if (entries.length === 0) return null;
  return h(
    'dl',
    { class: 'detail' },
    entries.map(([k, v]) => [
      h('dt', {}, k),
      h('dd', {}, typeof v === 'object' ? JSON.stringify(v) : String(v as string | number | boolean)),
    ]),
  );
}
