/**
 * Dead letters: the Kafka records a consumer could not process (per topic, with the reason) and the webhook
 * deliveries the notifier gave up on. Replay and redelivery are operator actions: each needs a reason, which
 * the api records in the audit log with the operator.
 */
import { dateTime, h, show } from '../dom';
import { api, ok, type Schemas } from '../http';
import type { Page, PageContext } from '../main';

type KafkaTopic = Schemas['KafkaDeadLetterList']['topics'][number];
type WebhookDeadLetter = Schemas['WebhookDeadLetter'];

export function deadLettersPage({ root }: PageContext): Page {
  const reason = h('input', {
    id: 'dead-letter-reason',
    placeholder: 'reason for a replay or redelivery (audited)',
    maxlength: 500,
  });
  const outcome = h('p', { id: 'dead-letter-outcome', role: 'status' });
  const kafka = h('div', { id: 'kafka-dead-letters' }, h('p', { class: 'muted' }, 'Reading the dead-letter topics…'));
  const webhooks = h('div', { id: 'webhook-dead-letters' });
  show(
    root,
    h('h1', {}, 'Dead letters'),
    h('form', { class: 'filters', onsubmit: (e: Event) => e.preventDefault() }, reason),
    outcome,
    h('h2', {}, 'Kafka dead-letter topics'),
    kafka,
    h('h2', {}, 'Webhook deliveries given up'),
    webhooks,
  );

  /** Runs an operator action with the reason given, says how it went, and reloads both lists. */
  const act = async (what: string, action: (reason: string) => Promise<string>) => {
    const why = reason.value.trim();
    if (!why) return show(outcome, h('span', { class: 'error' }, `${what}: a reason is required.`));
    try {
      show(outcome, await action(why));
      await load();
    } catch (err) {
      show(outcome, h('span', { class: 'error' }, `${what}: ${(err as Error).message}`));
    }
  };

  const topicSection = (t: KafkaTopic) =>
    h(
      'section',
      { class: 'topic', 'data-topic': t.topic },
      h(
        'h3',
        {},
        `${t.topic}.dlt `,
        h('span', { class: 'muted' }, `${t.deadLetters.length} record(s)`),
        t.deadLetters.length > 0 &&
          h(
            'button',
            {
              type: 'button',
              class: 'replay',
              onclick: () =>
                void act(`Replay ${t.topic}`, async (why) => {
                  const r = ok(
                    await api.POST('/dead-letters/kafka/{topic}/replay', {
                      params: { path: { topic: t.topic } },
                      body: { reason: why },
                    }),
                  );
                  return `Replayed ${r.replayed} record(s) to ${r.topic}.`;
                }),
            },
            'Replay to the topic',
          ),
      ),
      t.deadLetters.length > 0 &&
        h(
          'table',
          {},
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ...['Record', 'Dead-lettered', 'Consumer group', 'Key', 'Reason', 'Value (start)'].map((c) => h('th', {}, c)),
            ),
          ),
          h(
            'tbody',
            {},
            t.deadLetters.map((l) =>
              h(
                'tr',
                {},
                h('td', { class: 'mono' }, `${l.original.partition}/${l.original.offset}`),
                h('td', {}, l.at ? dateTime(l.at) : ''),
                h('td', {}, l.group),
                h('td', { class: 'mono' }, l.key ?? ''),
                h('td', { class: 'reason' }, l.reason),
                h('td', {}, h('span', { class: 'mono preview', title: l.preview }, l.preview)),
              ),
            ),
          ),
        ),
    );

  const webhookRow = (l: WebhookDeadLetter) =>
    h(
      'tr',
      { 'data-dead-letter-id': l.id },
      h('td', {}, h('a', { href: `#/payments/${encodeURIComponent(l.paymentId)}`, class: 'mono' }, l.paymentId)),
      h('td', {}, l.endpointId),
      h('td', {}, String(l.attempts)),
      h('td', { class: 'reason' }, l.lastStatus ? `${l.lastStatus}: ${l.lastError}` : l.lastError),
      h('td', {}, dateTime(l.deadLetteredAt)),
      h(
        'td',
        {},
        h(
          'button',
          {
            type: 'button',
            onclick: () =>
              void act(`Redeliver ${l.id}`, async (why) => {
                const r = ok(
                  await api.POST('/webhooks/dead-letters/{id}/redeliver', {
                    params: { path: { id: String(l.id) } },
                    body: { reason: why },
                  }),
                );
                return `Redelivery ${r.deliveryId} scheduled to ${r.endpointId}.`;
              }),
          },
          'Redeliver',
        ),
      ),
    );

  async function load() {
    const [topics, letters] = await Promise.all([
      api.GET('/dead-letters/kafka').then(ok),
      api.GET('/webhooks/dead-letters', { params: { query: { limit: 100 } } }).then(ok),
    ]);
    show(kafka, topics.topics.map(topicSection));
    show(
      webhooks,
      letters.deadLetters.length === 0
        ? h('p', { class: 'muted' }, 'None.')
        : h(
            'table',
            {},
            h(
              'thead',
              {},
              h('tr', {}, ...['Payment', 'Endpoint', 'Attempts', 'Last error', 'Given up', ''].map((c) => h('th', {}, c))),
            ),
            h('tbody', {}, letters.deadLetters.map(webhookRow)),
          ),
    );
  }
  load().catch((err: unknown) => show(outcome, h('span', { class: 'error' }, (err as Error).message)));
  return { stop: () => undefined };
}
