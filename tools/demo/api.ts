/**
 * The demo's view of a running paysaga: its REST api through the typed client generated from the OpenAPI document
 * (api/client), with a client and an operator bearer token, each answer validated with zod, and errors that say
 * what to do (start the system, point at it, supply tokens).
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { createPaysagaClient, type PaysagaClient, type PaysagaSchemas } from '../../api/client';
import { API_ROLES, type Config } from '../../config';
import { DECISION_REASONS, DECISIONS } from '../../contracts/payment';

/** A problem the user can fix (the system is not running, no tokens): printed without a stack trace. */
export class DemoError extends Error {
  override name = 'DemoError';
}

export interface DemoTokens {
  client: string;
  operator: string;
}

const tokenList = z.array(z.object({ token: z.string().min(1), subject: z.string(), roles: z.array(z.enum(API_ROLES)) }));

/**
 * A client and an operator token: from API_TOKENS when it is set, else from the file `npm start` writes into the
 * state folder when it runs without API_TOKENS.
 */
export function demoTokens(config: Config): DemoTokens {
  const file = path.join(config.stateDir, 'api-tokens.json');
  let tokens = config.api.tokens;
  let source = 'API_TOKENS';
  if (!tokens) {
    if (!fs.existsSync(file))
      throw new DemoError(
        `no API tokens: set API_TOKENS (a client and an operator token), or run \`npm start\` without it once, which writes ${file}`,
      );
    const parsed = tokenList.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
    if (!parsed.success) throw new DemoError(`${file} is not a list of API tokens: ${parsed.error.issues[0]?.message}`);
    tokens = parsed.data;
    source = file;
  }
  const client = tokens.find((t) => t.roles.includes('client'))?.token;
  const operator = tokens.find((t) => t.roles.includes('operator'))?.token;
  if (!client || !operator)
    throw new DemoError(
      `the demo needs a client and an operator token; ${source} lacks ${client ? 'an operator' : 'a client'} token`,
    );
  return { client, operator };
}

// The types say what the api declares; zod checks what a running system (perhaps another version) answers.
const accepted = z.object({ paymentId: z.string().min(1), statusUrl: z.string().min(1) });

/** The fields of GET /payments/:id the demo reads; the rest may change without breaking it. */
const paymentView = z.looseObject({
  paymentId: z.string(),
  requestedAt: z.string(),
  status: z.string(),
  decision: z.enum(DECISIONS).nullable(),
  reason: z.enum(DECISION_REASONS).nullable(),
});
export type PaymentView = z.infer<typeof paymentView>;

/** How the demo sends a request (tests pass one that checks each answer against the OpenAPI document). */
export type SendRequest = (url: string, init: RequestInit) => Promise<Response>;

/** A failed answer's body as the api sent it (openapi-fetch hands it over parsed when it is JSON). */
const bodyText = (body: unknown) => (body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body));

export class DemoApi {
  private readonly clients: Record<keyof DemoTokens, PaysagaClient>;

  constructor(
    readonly baseUrl: string,
    tokens: DemoTokens,
    send: SendRequest = (url, init) => fetch(url, init),
  ) {
    const opts = { fetch: (request: Request) => this.sendVia(send, request) };
    this.clients = {
      client: createPaysagaClient(baseUrl, tokens.client, opts),
      operator: createPaysagaClient(baseUrl, tokens.operator, opts),
    };
  }

  /** Fails with a DemoError unless the api answers ready and accepts both tokens. */
  async checkReady(): Promise<void> {
    const ready = await this.clients.client.GET('/health/ready');
    if (!ready.response.ok)
      throw new DemoError(`the api at ${this.baseUrl} is not ready (${ready.response.status}): ${bodyText(ready.error)}`);
    for (const role of ['client', 'operator'] as const) {
      const { response, error } = await this.clients[role].GET('/payments', { params: { query: { limit: 1 } } });
      if (response.status === 401 || response.status === 403)
        throw new DemoError(
          `the api at ${this.baseUrl} refused the demo's ${role} token (${response.status}): are the demo and the system using the same API_TOKENS (or state folder)?`,
        );
      if (!response.ok) throw new DemoError(`GET /payments as ${role} answered ${response.status}: ${bodyText(error)}`);
    }
  }

  /** POST /payments; `replayed` when the api answered a retried Idempotency-Key with its first response. */
  async createPayment(
    body: PaysagaSchemas['CreatePayment'],
    idempotencyKey: string,
  ): Promise<{ paymentId: string; replayed: boolean }> {
    const { data, error, response } = await this.clients.client.POST('/payments', {
      params: { header: { 'Idempotency-Key': idempotencyKey } },
      body,
    });
    if (response.status !== 202) throw new Error(`POST /payments answered ${response.status}: ${bodyText(error ?? data)}`);
    const { paymentId } = accepted.parse(data);
    return { paymentId, replayed: response.headers.get('idempotent-replayed') === 'true' };
  }

  /** GET /payments/:id; undefined while the read model does not know the payment (404). */
  async getPayment(paymentId: string, as: keyof DemoTokens): Promise<PaymentView | undefined> {
    const { data, error, response } = await this.clients[as].GET('/payments/{paymentId}', {
      params: { path: { paymentId } },
    });
    if (response.status === 404) return undefined;
    if (!response.ok) throw new Error(`GET /payments/${paymentId} answered ${response.status}: ${bodyText(error)}`);
    return paymentView.parse(data);
  }

  /** POST /payments/:id/override as the operator; returns the status (202 accepted, 409 already decided). */
  async override(paymentId: string, decision: 'approve' | 'decline', reason: string, idempotencyKey: string): Promise<number> {
    const { data, error, response } = await this.clients.operator.POST('/payments/{paymentId}/override', {
      params: { path: { paymentId }, header: { 'Idempotency-Key': idempotencyKey } },
      body: { decision, reason },
    });
    if (response.status !== 202 && response.status !== 409)
      throw new Error(`POST /payments/${paymentId}/override answered ${response.status}: ${bodyText(error ?? data)}`);
    return response.status;
  }

  /** The client's fetch: `send` with a timeout, and an unreachable api as a DemoError that says what to do. */
  private async sendVia(send: SendRequest, request: Request): Promise<Response> {
    try {
      return await send(request.url, {
        method: request.method,
        headers: request.headers,
        body: request.body === null ? undefined : await request.text(),
        signal: AbortSignal.timeout(10_000),
      });
    } catch (err) {
      const cause = (err as Error & { cause?: { code?: string; message?: string } }).cause;
      throw new DemoError(
        `the api at ${this.baseUrl} is not reachable (${cause?.code ?? cause?.message ?? (err as Error).message}): ` +
          'is paysaga running? Start it with `npm start`, or pass --api-url',
      );
    }
  }
}
