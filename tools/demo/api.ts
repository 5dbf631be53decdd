/**
 * The demo's view of a running paysaga: its REST api with a client and an operator bearer token, each answer
 * validated with zod, and errors that say what to do (start the system, point at it, supply tokens).
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
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

export class DemoApi {
  constructor(
    readonly baseUrl: string,
    private readonly tokens: DemoTokens,
    private readonly send: SendRequest = (url, init) => fetch(url, init),
  ) {}

  /** Fails with a DemoError unless the api answers ready and accepts both tokens. */
  async checkReady(): Promise<void> {
    const ready = await this.fetch('/health/ready');
    if (!ready.ok) throw new DemoError(`the api at ${this.baseUrl} is not ready (${ready.status}): ${await ready.text()}`);
    for (const role of ['client', 'operator'] as const) {
      const res = await this.fetch('/payments?limit=1', { token: this.tokens[role] });
      if (res.status === 401 || res.status === 403)
        throw new DemoError(
          `the api at ${this.baseUrl} refused the demo's ${role} token (${res.status}): are the demo and the system using the same API_TOKENS (or state folder)?`,
        );
      if (!res.ok) throw new DemoError(`GET /payments as ${role} answered ${res.status}: ${await res.text()}`);
    }
  }

  /** POST /payments; `replayed` when the api answered a retried Idempotency-Key with its first response. */
  async createPayment(
    body: { accountId: string; merchantId: string; amount: number; currency: string },
    idempotencyKey: string,
  ): Promise<{ paymentId: string; replayed: boolean }> {
    const res = await this.fetch('/payments', { method: 'POST', token: this.tokens.client, body, idempotencyKey });
    if (res.status !== 202) throw new Error(`POST /payments answered ${res.status}: ${await res.text()}`);
    const { paymentId } = accepted.parse(await res.json());
    return { paymentId, replayed: res.headers.get('idempotent-replayed') === 'true' };
  }

  /** GET /payments/:id; undefined while the read model does not know the payment (404). */
  async getPayment(paymentId: string, as: keyof DemoTokens): Promise<PaymentView | undefined> {
    const res = await this.fetch(`/payments/${encodeURIComponent(paymentId)}`, { token: this.tokens[as] });
    if (res.status === 404) return undefined;
    if (!res.ok) throw new Error(`GET /payments/${paymentId} answered ${res.status}: ${await res.text()}`);
    return paymentView.parse(await res.json());
  }

  /** POST /payments/:id/override as the operator; returns the status (202 accepted, 409 already decided). */
  async override(paymentId: string, decision: 'approve' | 'decline', reason: string, idempotencyKey: string): Promise<number> {
    const res = await this.fetch(`/payments/${encodeURIComponent(paymentId)}/override`, {
      method: 'POST',
      token: this.tokens.operator,
      body: { decision, reason },
      idempotencyKey,
    });
    if (res.status !== 202 && res.status !== 409)
      throw new Error(`POST /payments/${paymentId}/override answered ${res.status}: ${await res.text()}`);
    await res.body?.cancel();
    return res.status;
  }

  private async fetch(
    pathname: string,
    opts: { method?: string; token?: string; body?: unknown; idempotencyKey?: string } = {},
  ): Promise<Response> {
    const headers: Record<string, string> = {};
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    if (opts.idempotencyKey) headers['idempotency-key'] = opts.idempotencyKey;
    try {
      return await this.send(this.baseUrl + pathname, {
        method: opts.method ?? 'GET',
        headers,
        body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
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
