/**
 * The OpenAPI 3.1 document of the api, generated from the same zod schemas that validate requests: each schema
 * with an id (`.meta({ id })`) becomes `components.schemas.<id>`, referenced as `#/components/schemas/<id>`.
 * Requests are described as zod reads them (io: input: defaults, coercions), responses as the api writes them.
 */
import { z } from 'zod';
import { paymentDecidedSchema } from '../contracts/payment';
import { webhookPayloadSchema } from '../notifier/payload';
import { TOLERANCE_SECONDS } from '../notifier/signature';
import {
  createPaymentBody,
  journalQuery,
  ledgerAccountName,
  ledgerAccountView,
  listPaymentsQuery,
  liveView,
  merchantTotalsView,
  overrideAccepted,
  overrideBody,
  paymentAccepted,
  paymentEvent,
  paymentFeedEvent,
  paymentList,
  paymentSummary,
  paymentView,
  problemDetails,
  readyView,
  reviewQueue,
  reviewQueueQuery,
  trialBalanceView,
} from './schemas';
import { consoleSessionView, consoleSignIn } from './console-schemas';
import { paymentHistory } from './history-schemas';
import {
  deadLetteredTopic,
  kafkaDeadLetter,
  kafkaDeadLetterList,
  listKafkaDeadLettersQuery,
  replayBody,
  replayResult,
} from './kafka-dead-letter-schemas';
import { codecPayloads, codecPayloadsResult } from './codec-schemas';
import {
  listDeadLettersQuery,
  redeliverBody,
  redeliveryAccepted,
  webhookDeadLetter,
  webhookDeadLetterList,
} from './webhook-schemas';

const REQUEST_SCHEMAS = [createPaymentBody, overrideBody, redeliverBody, replayBody, consoleSignIn, codecPayloads];
const RESPONSE_SCHEMAS = [
  paymentAccepted,
  paymentSummary,
  paymentView,
  paymentList,
  paymentEvent,
  paymentHistory,
  paymentFeedEvent,
  reviewQueue,
  overrideAccepted,
  problemDetails,
  ledgerAccountView,
  trialBalanceView,
  webhookDeadLetter,
  webhookDeadLetterList,
  redeliveryAccepted,
  kafkaDeadLetter,
  kafkaDeadLetterList,
  replayResult,
  merchantTotalsView,
  liveView,
  readyView,
  webhookPayloadSchema,
  consoleSessionView,
  codecPayloadsResult,
];

type JsonSchema = Record<string, unknown>;
const REF_PREFIX = '#/components/schemas/';
/** Where zod puts schemas with an id that are not in the converted registry. */
const SHARED = `${REF_PREFIX}__shared#/$defs/`;

const idOf = (schema: z.ZodType) => {
  const id = z.globalRegistry.get(schema)?.id;
  if (!id) throw new Error('a schema of the OpenAPI document has no id: give it .meta({ id })');
  return id;
};

/** Rewrites every $ref into a nested id'd schema to its component, drops the per-schema $schema and $id. */
function tidy(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(tidy);
  if (value === null || typeof value !== 'object') return value;
  const out: JsonSchema = {};
  for (const [k, v] of Object.entries(value)) {
    if (k === '$schema' || k === '$id') continue;
    out[k] = k === '$ref' && typeof v === 'string' && v.startsWith(SHARED) ? REF_PREFIX + v.slice(SHARED.length) : tidy(v);
  }
  return out;
}

/** The named JSON schemas of `schemas` (and of the id'd schemas nested in them), read as zod reads or writes. */
function componentsOf(schemas: z.ZodType[], io: 'input' | 'output'): Record<string, JsonSchema> {
  const registry = z.registry<{ id: string }>();
  for (const s of schemas) registry.add(s, { id: idOf(s) });
  const converted = z.toJSONSchema(registry, {
    target: 'draft-2020-12',
    io,
    unrepresentable: 'any',
    uri: (id) => REF_PREFIX + id,
  }).schemas as Record<string, JsonSchema & { $defs?: Record<string, JsonSchema> }>;
  const { __shared: shared, ...named } = converted;
  return tidy({ ...named, ...shared?.$defs }) as Record<string, JsonSchema>;
}

function allComponents(): Record<string, JsonSchema> {
  const input = componentsOf(REQUEST_SCHEMAS, 'input');
  const output = componentsOf(RESPONSE_SCHEMAS, 'output');
  for (const [id, s] of Object.entries(input))
    if (output[id] && JSON.stringify(output[id]) !== JSON.stringify(s))
      throw new Error(`schema ${id} reads differently than it is written: give the request and the response their own ids`);
  return { ...output, ...input };
}

/** An inline JSON schema of a schema without an id (a parameter), as zod reads it. */
const inline = (s: z.ZodType) => tidy(z.toJSONSchema(s, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' }));
const ref = (s: z.ZodType) => ({ $ref: REF_PREFIX + idOf(s) });
const json = (s: z.ZodType) => ({ content: { 'application/json': { schema: ref(s) } } });

// Parameters.
const queryParameters = (s: z.ZodObject) =>
  Object.entries(s.shape).map(([name, field]) => ({
    name,
    in: 'query',
    required: !(field as z.ZodType).safeParse(undefined).success,
    schema: inline(field as z.ZodType),
  }));
const pathParameter = (name: string, schema: unknown) => ({ name, in: 'path', required: true, schema });
const paymentIdParam = pathParameter('paymentId', { type: 'string', minLength: 1 });
const idempotencyKey = (required: boolean, description: string) => ({
  name: 'Idempotency-Key',
  in: 'header',
  required,
  description,
  schema: { type: 'string', pattern: '^[\\x21-\\x7e]{1,255}$' },
});

// Responses.
const problem = (description: string, headers?: Record<string, unknown>) => ({
  description,
  ...(headers && { headers }),
  content: { 'application/problem+json': { schema: ref(problemDetails) } },
});
const problems = (statuses: Record<number, string>) =>
  Object.fromEntries(Object.entries(statuses).map(([status, description]) => [status, problem(description)]));
const serverErrors = {
  '500': problem('unexpected error (logged; the response says nothing more)'),
  '503': problem('PostgreSQL or Temporal is unavailable for a moment: retry', {
    'Retry-After': { schema: { type: 'string', pattern: '^[0-9]+$' }, description: 'seconds' },
  }),
};
const authErrors = (role: string) => ({
  '401': problem('no valid bearer token', {
    'WWW-Authenticate': { required: true, schema: { type: 'string' }, description: 'Bearer realm="paysaga"' },
  }),
  '403': problem(`the token lacks the ${role} role`),
});
const bodyErrors = {
  '400': problem('the body is not valid JSON or not a valid request (errors[] names each field)'),
  '413': problem('body over 16 KiB'),
  '415': problem('the body is not application/json (UTF-8)'),
};
const clientBearer = { clientBearer: [] };
const operatorBearer = { operatorBearer: [] };
const operatorSession = { operatorSession: [] };

/**
 * Every operation an operator token may call, an operator's console session may call too (api/auth.ts):
 * added here once rather than on each operation.
 */
function withOperatorSession<T extends Record<string, Record<string, unknown>>>(paths: T): T {
  for (const item of Object.values(paths))
    for (const operation of Object.values(item) as { security?: object[] }[])
      if (operation.security?.includes(operatorBearer)) operation.security.push(operatorSession);
  return paths;
}

/** POST /codec/decode and /codec/encode (api/codec.ts), with the CORS preflight the Web UI sends first. */
function codecPaths() {
  const operation = (direction: 'decode' | 'encode') => ({
    post: {
      operationId: `${direction}Payloads`,
      summary:
        direction === 'decode'
          ? "Decrypts Temporal payloads with paysaga's payload codec, for the Temporal Web UI and CLI"
          : "Encrypts Temporal payloads with paysaga's payload codec (the Web UI encodes a signal's input with it)",
      description:
        "Temporal's codec server protocol. A console session may call it from the Temporal Web UI's origin " +
        '(CORS with credentials), without a CSRF token since it changes nothing.' +
        (direction === 'decode' ? ' Payloads that are not encrypted come back unchanged.' : ''),
      security: [operatorBearer],
      parameters: [
        {
          name: 'X-Namespace',
          in: 'header',
          required: false,
          description: 'the namespace the payloads belong to; another than paysaga’s is refused (400)',
          schema: { type: 'string' },
        },
      ],
      requestBody: { required: true, ...json(codecPayloads) },
      responses: {
        '200': { description: `the payloads, ${direction}d, in their order`, ...json(codecPayloadsResult) },
        '400': problem('not valid JSON, not Payloads, or another namespace'),
        '404': problem('TEMPORAL_CODEC is off'),
        '413': problem('body over 2 MiB'),
        '415': problem('the body is not application/json (UTF-8)'),
        ...(direction === 'decode'
          ? { '422': problem('a payload names a key id the codec does not hold, or fails authentication') }
          : {}),
        ...authErrors('operator'),
        ...serverErrors,
      },
    },
    options: {
      operationId: `${direction}PayloadsPreflight`,
      summary: 'CORS preflight: allowed for the Temporal Web UI’s origin (and API_CODEC_ORIGINS)',
      responses: { '204': { description: 'the CORS headers, for an allowed Origin' } },
    },
  });
  return { '/codec/decode': operation('decode'), '/codec/encode': operation('encode') };
}

export function openApiDocument() {
  return {
    openapi: '3.1.0',
    info: {
      title: 'paysaga',
      version: '1',
      description:
        'Payment authorization as a durable saga (Temporal, Kafka). Errors are RFC 9457 problem details. ' +
        'A method a path does not declare answers 405 with an Allow header.',
    },
    components: {
      schemas: allComponents(),
      securitySchemes: {
        clientBearer: {
          type: 'http',
          scheme: 'bearer',
          description: 'a token of API_TOKENS with the client role: creates payments and reads its own',
        },
        operatorBearer: {
          type: 'http',
          scheme: 'bearer',
          description: 'a token of API_TOKENS with the operator role: reads every payment, overrides, ledger, webhooks',
        },
        operatorSession: {
          type: 'apiKey',
          in: 'cookie',
          name: 'paysaga_session',
          description:
            "the operator console's session (POST /console/session): HttpOnly, SameSite=Strict. A write made with it " +
            "must send the X-CSRF-Token header of the session and, when it sends Origin, the api's own origin (else 403)",
        },
      },
    },
    paths: withOperatorSession({
      ...codecPaths(),
      '/console/session': {
        post: {
          operationId: 'signInToConsole',
          summary: 'Opens an operator console session: sets the HttpOnly session cookie',
          description:
            'The operator token goes in the body, never in a URL. The session lasts CONSOLE_SESSION_TTL, until ' +
            'sign-out, or until its token leaves API_TOKENS.',
          requestBody: { required: true, ...json(consoleSignIn) },
          responses: {
            '201': {
              description: 'signed in',
              headers: {
                'Set-Cookie': {
                  required: true,
                  schema: { type: 'string' },
                  description: 'paysaga_session=…; Path=/; HttpOnly; SameSite=Strict; Max-Age=…',
                },
              },
              ...json(consoleSessionView),
            },
            ...bodyErrors,
            ...problems({ 401: 'unknown token', 403: 'a client token, or a sign-in from another origin' }),
            ...serverErrors,
          },
        },
        get: {
          operationId: 'getConsoleSession',
          summary: 'The signed-in operator and the CSRF token of the session',
          responses: {
            '200': { description: 'the session', ...json(consoleSessionView) },
            ...problems({ 401: 'no live session cookie' }),
            ...serverErrors,
          },
        },
        delete: {
          operationId: 'signOutOfConsole',
          summary: 'Ends the console session and clears its cookie',
          security: [operatorBearer],
          responses: {
            '204': { description: 'signed out' },
            ...authErrors('operator'),
            ...serverErrors,
          },
        },
      },
      '/payments': {
        get: {
          operationId: 'listPayments',
          summary: 'Payments, newest first: a client sees its own, an operator all (read model)',
          security: [clientBearer, operatorBearer],
          parameters: queryParameters(listPaymentsQuery),
          responses: {
            '200': { description: 'one page', ...json(paymentList) },
            ...problems({ 400: 'invalid query (errors[] names each parameter)' }),
            ...authErrors('client or operator'),
            ...serverErrors,
          },
        },
        post: {
          operationId: 'createPayment',
          summary: 'Request the authorization of a payment',
          security: [clientBearer],
          parameters: [
            idempotencyKey(
              true,
              'scoped to the caller, kept at least 24 h: a retry with the same key and body gets the first answer',
            ),
          ],
          requestBody: { required: true, ...json(createPaymentBody) },
          responses: {
            '202': {
              description: 'accepted; a replay of a key already answered carries Idempotent-Replayed: true',
              headers: {
                Location: { schema: { type: 'string' }, description: 'the status URL (not on a replay)' },
                'Idempotent-Replayed': { schema: { type: 'string', const: 'true' }, description: 'present on a replay' },
              },
              ...json(paymentAccepted),
            },
            ...bodyErrors,
            '400': problem('invalid body, or Idempotency-Key missing or not 1-255 visible ASCII characters'),
            ...authErrors('client'),
            '403': problem('the token lacks the client role, or may not create payments for this merchant'),
            ...problems({ 409: 'a request with this key is still in flight', 422: 'key reused with a different body' }),
            ...serverErrors,
          },
        },
      },
      '/payments/{paymentId}': {
        get: {
          operationId: 'getPayment',
          summary: 'Status and timeline of a payment',
          security: [clientBearer, operatorBearer],
          parameters: [paymentIdParam],
          responses: {
            '200': { description: 'the payment', ...json(paymentView) },
            ...authErrors('client or operator'),
            ...problems({ 404: "unknown payment (or another client's)" }),
            ...serverErrors,
          },
        },
      },
      '/payments/{paymentId}/events': {
        get: {
          operationId: 'streamPaymentEvents',
          summary: "A payment's state changes as Server-Sent Events, until its decision",
          description:
            'Each event is one state change of the payment (a row of its timeline): `id:` its event id, `data:` a ' +
            'PaymentEvent as JSON. The stream sends what the payment has been through, then each change as it ' +
            'happens, and ends after the decision. A comment line (`: heartbeat`) every 15 s keeps it open through ' +
            'proxies. Reconnect with Last-Event-ID to receive only what came after that event. When the database ' +
            'fails to answer for about ten seconds the stream ends with an `event: error` (a `retry:` delay and a ' +
            'problem as `data:`), and a reconnect with Last-Event-ID resumes it.',
          security: [clientBearer, operatorBearer],
          parameters: [
            paymentIdParam,
            {
              name: 'Last-Event-ID',
              in: 'header',
              required: false,
              description: 'the id of the last event received: the stream resumes after it',
              schema: { type: 'string', pattern: '^(0|[1-9][0-9]{0,14})$' },
            },
          ],
          responses: {
            '200': {
              description: "the event stream (text/event-stream); each event's data is a PaymentEvent",
              content: {
                'text/event-stream': {
                  schema: { type: 'string', description: 'events; the data of each is a PaymentEvent' },
                  // OpenAPI 3.2 names this itemSchema; in 3.1 it is an extension.
                  'x-item-schema': ref(paymentEvent),
                },
              },
            },
            ...problems({ 400: 'Last-Event-ID is not an event id' }),
            ...authErrors('client or operator'),
            ...problems({ 404: "unknown payment (or another client's)" }),
            ...serverErrors,
          },
        },
      },
      '/payments/{paymentId}/history': {
        get: {
          operationId: 'getPaymentHistory',
          summary: "Everything that happened to a payment, from its saga's history and the database (operators)",
          description:
            "Oldest first. The saga's entries (account states with the saga's verdict, timers, gateway calls, override " +
            "signals) come from its Temporal history; when that is gone (the namespace's retention) or Temporal does not " +
            'answer, the answer comes from the database alone, with sagaHistory `unavailable` and the reason.',
          security: [operatorBearer],
          parameters: [paymentIdParam],
          responses: {
            '200': { description: "the payment's history", ...json(paymentHistory) },
            ...authErrors('operator'),
            ...problems({ 404: 'unknown payment' }),
            ...serverErrors,
          },
        },
      },
      '/payment-events': {
        get: {
          operationId: 'streamAllPaymentEvents',
          summary: "Every payment's state changes as Server-Sent Events, in commit order (operators)",
          description:
            "Each event is a row of a payment's timeline as it commits: `id:` its event id (`<transaction>-<row>`), " +
            '`data:` a PaymentFeedEvent as JSON. A new stream starts at the current end (no backlog); with ' +
            'Last-Event-ID it resumes right after that event, without gaps or repeats. It ends only when the api ' +
            'stops or its database fails to answer for about ten seconds (then with an `event: error`, a `retry:` ' +
            'delay and a problem as `data:`); a comment line (`: heartbeat`) every 15 s keeps it open through proxies.',
          security: [operatorBearer],
          parameters: [
            {
              name: 'Last-Event-ID',
              in: 'header',
              required: false,
              description: 'the id of the last event received: the stream resumes after it',
              schema: { type: 'string', pattern: '^(0|[1-9][0-9]{0,19})-(0|[1-9][0-9]{0,14})$' },
            },
          ],
          responses: {
            '200': {
              description: "the event stream (text/event-stream); each event's data is a PaymentFeedEvent",
              content: {
                'text/event-stream': {
                  schema: { type: 'string', description: 'events; the data of each is a PaymentFeedEvent' },
                  'x-item-schema': ref(paymentFeedEvent),
                },
              },
            },
            ...problems({ 400: 'Last-Event-ID is not an event id of this stream' }),
            ...authErrors('operator'),
            ...serverErrors,
          },
        },
      },
      '/review-queue': {
        get: {
          operationId: 'getReviewQueue',
          summary: 'Undecided payments waiting for account state or in review, soonest deadline first (operators)',
          security: [operatorBearer],
          parameters: queryParameters(reviewQueueQuery),
          responses: {
            '200': { description: 'the queue', ...json(reviewQueue) },
            ...problems({ 400: 'invalid query (errors[] names each parameter)' }),
            ...authErrors('operator'),
            ...serverErrors,
          },
        },
      },
      '/payments/{paymentId}/override': {
        post: {
          operationId: 'overridePayment',
          summary: 'Approve or decline a pending payment (operators; audited)',
          security: [operatorBearer],
          parameters: [paymentIdParam, idempotencyKey(false, 'the same key from the same operator on a payment is one override')],
          requestBody: { required: true, ...json(overrideBody) },
          responses: {
            '202': { description: 'the override was sent to the saga', ...json(overrideAccepted) },
            ...bodyErrors,
            ...authErrors('operator'),
            ...problems({ 404: 'unknown payment', 409: 'already decided' }),
            ...serverErrors,
          },
        },
      },
      '/ledger/accounts/{ledgerAccount}': {
        get: {
          operationId: 'getLedgerAccount',
          summary: 'Balances and journal of a ledger account, e.g. customer:<accountId> (operators)',
          security: [operatorBearer],
          parameters: [pathParameter('ledgerAccount', inline(ledgerAccountName)), ...queryParameters(journalQuery)],
          responses: {
            '200': { description: 'the account', ...json(ledgerAccountView) },
            ...problems({ 400: 'invalid query or account name' }),
            ...authErrors('operator'),
            ...problems({ 404: 'no entries' }),
            ...serverErrors,
          },
        },
      },
      '/ledger/trial-balance': {
        get: {
          operationId: 'getTrialBalance',
          summary: 'Every ledger account balance and the totals (operators)',
          security: [operatorBearer],
          responses: {
            '200': { description: 'the trial balance', ...json(trialBalanceView) },
            ...authErrors('operator'),
            ...serverErrors,
          },
        },
      },
      '/webhooks/dead-letters': {
        get: {
          operationId: 'listWebhookDeadLetters',
          summary: 'Webhook deliveries the notifier gave up on, newest first (operators)',
          security: [operatorBearer],
          parameters: queryParameters(listDeadLettersQuery),
          responses: {
            '200': { description: 'one page', ...json(webhookDeadLetterList) },
            ...problems({ 400: 'invalid query (errors[] names each parameter)' }),
            ...authErrors('operator'),
            ...serverErrors,
          },
        },
      },
      '/webhooks/dead-letters/{id}/redeliver': {
        post: {
          operationId: 'redeliverWebhook',
          summary: 'Deliver a dead-lettered webhook again, attempts reset (operators; audited)',
          security: [operatorBearer],
          parameters: [pathParameter('id', { type: 'string', pattern: '^[0-9]{1,15}$' })],
          requestBody: { required: true, ...json(redeliverBody) },
          responses: {
            '202': { description: 'scheduled again', ...json(redeliveryAccepted) },
            ...bodyErrors,
            ...authErrors('operator'),
            ...problems({
              404: 'unknown dead letter (or already redelivered)',
              409: 'the endpoint is no longer configured, or a delivery of the event is already scheduled',
            }),
            ...serverErrors,
          },
        },
      },
      '/dead-letters/kafka': {
        get: {
          operationId: 'listKafkaDeadLetters',
          summary: "Every topic's dead letters (<topic>.dlt) with their reasons, newest first (operators)",
          security: [operatorBearer],
          parameters: queryParameters(listKafkaDeadLettersQuery),
          responses: {
            '200': { description: 'per topic, its dead letters', ...json(kafkaDeadLetterList) },
            ...problems({ 400: 'invalid query (errors[] names each parameter)' }),
            ...authErrors('operator'),
            ...serverErrors,
            ...problems({ 503: 'the dead-letter topics are still being read, or this api does not follow them' }),
          },
        },
      },
      '/dead-letters/kafka/{topic}/replay': {
        post: {
          operationId: 'replayKafkaDeadLetters',
          summary: "Publish a topic's dead letters not replayed before to the topic again (operators; audited)",
          description:
            'Each original record is published again with its key, value and headers, once: a second replay sends only ' +
            'dead letters that came since. Replays of one topic run one at a time. Safe because every consumer ' +
            'deduplicates by event id.',
          security: [operatorBearer],
          parameters: [pathParameter('topic', inline(deadLetteredTopic))],
          requestBody: { required: true, ...json(replayBody) },
          responses: {
            '200': { description: 'replayed', ...json(replayResult) },
            ...bodyErrors,
            ...authErrors('operator'),
            ...problems({ 404: 'not a topic that has dead letters' }),
            ...serverErrors,
            '503': problem('PostgreSQL or Kafka is unavailable for a moment (retry), or this api does not replay dead letters', {
              'Retry-After': {
                schema: { type: 'string', pattern: '^[0-9]+$' },
                description: 'seconds (absent when this api does not replay)',
              },
            }),
          },
        },
      },
      '/merchants/{merchantId}/totals': {
        get: {
          operationId: 'getMerchantTotals',
          summary: "A merchant's authorized amount and count per currency, from the exactly-once aggregate (operators)",
          security: [operatorBearer],
          parameters: [pathParameter('merchantId', inline(paymentDecidedSchema.shape.merchantId))],
          responses: {
            '200': {
              description: 'the totals (an empty list for a merchant with no authorized payment)',
              ...json(merchantTotalsView),
            },
            ...problems({ 400: 'invalid merchant id' }),
            ...authErrors('operator'),
            ...serverErrors,
            ...problems({ 503: 'the totals are still catching up, or this api does not read them' }),
          },
        },
      },
      '/health/live': {
        get: {
          operationId: 'getLive',
          summary: 'The process is up, and no role of it failed for good',
          responses: { '200': { description: 'live', ...json(liveView) }, ...problems({ 503: 'a role cannot recover' }) },
        },
      },
      '/health/ready': {
        get: {
          operationId: 'getReady',
          summary: 'PostgreSQL and Temporal answer, the merchant totals have caught up, the bridge consumes',
          responses: { '200': { description: 'ready', ...json(readyView) }, ...problems({ 503: 'not ready (detail says why)' }) },
        },
      },
      '/metrics': {
        get: {
          operationId: 'getMetrics',
          summary: 'Metrics in the Prometheus text format',
          responses: { '200': { description: 'the metrics', content: { 'text/plain': { schema: { type: 'string' } } } } },
        },
      },
      '/openapi.json': {
        get: {
          operationId: 'getOpenApiDocument',
          summary: 'This document',
          responses: {
            '200': { description: 'the OpenAPI 3.1 document', content: { 'application/json': { schema: { type: 'object' } } } },
          },
        },
      },
    }),
    webhooks: {
      'payment.authorization.decided': {
        post: {
          operationId: 'paymentDecidedWebhook',
          summary: "Sent to each of the merchant's endpoints (WEBHOOK_ENDPOINTS) when a payment is decided",
          description:
            'Signed per Standard Webhooks (https://www.standardwebhooks.com): webhook-signature is `v1,` and the base64 ' +
            "HMAC-SHA256 of `<webhook-id>.<webhook-timestamp>.<body>` under the endpoint's secret (a `whsec_` secret is " +
            `base64). Refuse a timestamp more than ${TOLERANCE_SECONDS} s from your clock. Any answer other than 2xx is ` +
            'retried with backoff, then dead-lettered; webhook-id is the same on every attempt: deduplicate by it.',
          parameters: [
            {
              name: 'webhook-id',
              in: 'header',
              required: true,
              description: 'the event id, the same on every attempt',
              schema: { type: 'string' },
            },
            {
              name: 'webhook-timestamp',
              in: 'header',
              required: true,
              description: 'seconds since the Unix epoch, of this attempt',
              schema: { type: 'string', pattern: '^[0-9]+$' },
            },
            {
              name: 'webhook-signature',
              in: 'header',
              required: true,
              description: 'space-separated signatures `v1,<base64>` (several while a secret is rotated)',
              schema: { type: 'string', pattern: '^v1,[A-Za-z0-9+/=]+( v1,[A-Za-z0-9+/=]+)*$' },
            },
          ],
          requestBody: { required: true, ...json(webhookPayloadSchema) },
          responses: {
            '2XX': { description: 'delivered' },
            default: { description: 'not delivered: retried with backoff, then dead-lettered' },
          },
        },
      },
    },
  };
}
