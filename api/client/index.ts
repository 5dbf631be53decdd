/**
 * The typed client of the paysaga api: openapi-fetch over the types generated from the OpenAPI document
 * (schema.d.ts, written by `npm run api:client`), so paths, parameters, bodies and answers are checked by the
 * compiler against what the api declares.
 */
import createClient, { type Client, type ClientOptions } from 'openapi-fetch';
import type { components, paths } from './schema';

export type PaysagaClient = Client<paths>;
/** The named schemas of the document (e.g. `PaysagaSchemas['PaymentView']`). */
export type PaysagaSchemas = components['schemas'];
/** openapi-fetch's options but the base URL and headers, e.g. `fetch` (tests pass one that checks each answer). */
export type PaysagaClientOptions = Omit<ClientOptions, 'baseUrl' | 'headers'>;

/** A client that sends `token` as its bearer token on every request. */
export function createPaysagaClient(baseUrl: string, token: string, opts: PaysagaClientOptions = {}): PaysagaClient {
  return createClient<paths>({ ...opts, baseUrl, headers: { authorization: `Bearer ${token}` } });
}
