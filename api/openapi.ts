/** The OpenAPI 3.1 document of the api, generated from the same zod schemas that validate requests. */
import { z } from 'zod';
import {
  createPaymentBody,
  journalQuery,
  ledgerAccountView,
  listPaymentsQuery,
  merchantTotalsView,
  overrideAccepted,
  overrideBody,
  paymentAccepted,
  paymentList,
  paymentView,
  problemDetails,
  trialBalanceView,
} from './schemas';
import { listDeadLettersQuery, redeliverBody, redeliveryAccepted, webhookDeadLetterList } from './webhook-schemas';

const schema = (s: z.ZodType) => z.toJSONSchema(s, { target: 'draft-2020-12', unrepresentable: 'any' });
const json = (s: z.ZodType) => ({ content: { 'application/json': { schema: schema(s) } } });
const problemResponse = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: schema(problemDetails) } },
});
const paymentIdParam = { name: 'paymentId', in: 'path', required: true, schema: { type: 'string' } };
const bearer = [{ bearer: [] }];

/** The query parameters of a zod object schema, each with its own JSON schema. */
const queryParameters = (s: z.ZodObject) =>
  Object.entries(s.shape).map(([name, field]) => ({
    name,
    in: 'query',
    required: !(field as z.ZodType).safeParse(undefined).success,
    schema: schema(field as z.ZodType),
  }));

export function openApiDocument() {
  return {
    openapi: '3.1.0',
    info: { title: 'paysaga', version: '1', description: 'Payment authorization as a durable saga (Temporal, Kafka).' },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    paths: {
      '/payments': {
        get: {
          summary: 'Payments, newest first: a client sees its own, an operator all (read model)',
          security: bearer,
          parameters: queryParameters(listPaymentsQuery),
          responses: { '200': { description: 'one page', ...json(paymentList) }, '400': problemResponse('invalid query') },
        },
        post: {
          summary: 'Request the authorization of a payment',
          security: bearer,
          parameters: [{ name: 'Idempotency-Key', in: 'header', required: true, schema: { type: 'string', maxLength: 255 } }],
          requestBody: { required: true, ...json(createPaymentBody) },
          responses: {
            '202': { description: 'accepted (a replay carries the header Idempotent-Replayed: true)', ...json(paymentAccepted) },
            '400': problemResponse('invalid body or missing Idempotency-Key'),
            '401': problemResponse('no valid bearer token'),
            '403': problemResponse('the token lacks the client role, or may not create payments for this merchant'),
            '409': problemResponse('a request with this key is still in flight'),
            '413': problemResponse('body over 16 KiB'),
            '422': problemResponse('key reused with a different body'),
          },
        },
      },
      '/payments/{paymentId}': {
        get: {
          summary: 'Status and timeline of a payment',
          security: bearer,
          parameters: [paymentIdParam],
          responses: { '200': { description: 'the payment', ...json(paymentView) }, '404': problemResponse('unknown payment') },
        },
      },
      '/payments/{paymentId}/override': {
        post: {
          summary: 'Approve or decline a pending payment (operators)',
          security: bearer,
          parameters: [paymentIdParam, { name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string' } }],
          requestBody: { required: true, ...json(overrideBody) },
          responses: {
            '202': { description: 'the override was sent to the saga', ...json(overrideAccepted) },
            '400': problemResponse('invalid body'),
            '401': problemResponse('no valid bearer token'),
            '403': problemResponse('the token lacks the operator role'),
            '404': problemResponse('unknown payment'),
            '409': problemResponse('already decided'),
          },
        },
      },
      '/ledger/accounts/{ledgerAccount}': {
        get: {
          summary: 'Balances and journal of a ledger account, e.g. customer:<accountId> (operators)',
          security: bearer,
          parameters: [
            { name: 'ledgerAccount', in: 'path', required: true, schema: { type: 'string' } },
            ...queryParameters(journalQuery),
          ],
          responses: { '200': { description: 'the account', ...json(ledgerAccountView) }, '404': problemResponse('no entries') },
        },
      },
      '/ledger/trial-balance': {
        get: {
          summary: 'Every ledger account balance and the totals (operators)',
          security: bearer,
          responses: { '200': { description: 'the trial balance', ...json(trialBalanceView) } },
        },
      },
      '/webhooks/dead-letters': {
        get: {
          summary: 'Webhook deliveries the notifier gave up on, newest first (operators)',
          security: bearer,
          parameters: queryParameters(listDeadLettersQuery),
          responses: {
            '200': { description: 'one page', ...json(webhookDeadLetterList) },
            '400': problemResponse('invalid query'),
            '401': problemResponse('no valid bearer token'),
            '403': problemResponse('the token lacks the operator role'),
          },
        },
      },
      '/webhooks/dead-letters/{id}/redeliver': {
        post: {
          summary: 'Deliver a dead-lettered webhook again, attempts reset (operators; audited)',
          security: bearer,
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'integer', minimum: 1 } }],
          requestBody: { required: true, ...json(redeliverBody) },
          responses: {
            '202': { description: 'scheduled again', ...json(redeliveryAccepted) },
            '400': problemResponse('invalid body'),
            '401': problemResponse('no valid bearer token'),
            '403': problemResponse('the token lacks the operator role'),
            '404': problemResponse('unknown dead letter (or already redelivered)'),
            '409': problemResponse('the endpoint is no longer configured'),
          },
        },
      },
      '/merchants/{merchantId}/totals': {
        get: {
          summary: "A merchant's authorized amount and count per currency, from the exactly-once aggregate (operators)",
          security: bearer,
          parameters: [{ name: 'merchantId', in: 'path', required: true, schema: { type: 'string' } }],
          responses: {
            '200': {
              description: 'the totals (an empty list for a merchant with no authorized payment)',
              ...json(merchantTotalsView),
            },
            '400': problemResponse('invalid merchant id'),
            '401': problemResponse('no valid bearer token'),
            '403': problemResponse('the token lacks the operator role'),
            '503': problemResponse('the totals are still catching up'),
          },
        },
      },
      '/health/live': { get: { summary: 'The process is up', responses: { '200': { description: 'live' } } } },
      '/health/ready': {
        get: {
          summary: 'PostgreSQL and Temporal answer, and the merchant totals have caught up',
          responses: { '200': { description: 'ready' }, '503': problemResponse('not ready') },
        },
      },
    },
  };
}
