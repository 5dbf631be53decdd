/**
 * The console's calls to the api: the project's typed client (api/client), over the session cookie the browser
 * sends by itself, with the session's CSRF token on every write. The operator's token never reaches script.
 */
import createClient from 'openapi-fetch';
import type { components, paths } from '../api/client/schema';

export type Schemas = components['schemas'];
export type Session = Schemas['ConsoleSession'];

export const api = createClient<paths>({ baseUrl: location.origin });

let csrfToken: string | undefined;
api.use({
  onRequest({ request }) {
    if (csrfToken && request.method !== 'GET' && request.method !== 'HEAD') request.headers.set('x-csrf-token', csrfToken);
    return request;
  },
});

/** An answer other than 2xx, with the api's problem title and detail. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    problem: { title?: string; detail?: string } | undefined,
  ) {
    super([problem?.title ?? `HTTP ${status}`, problem?.detail].filter(Boolean).join(': '));
  }
}

/** The data of a 2xx answer; an ApiError otherwise. */
export function ok<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.data === undefined || !result.response.ok)
    throw new ApiError(result.response.status, result.error as { title?: string; detail?: string } | undefined);
  return result.data;
}

/** The signed-in operator, or undefined when the browser has no live session. */
export async function currentSession(): Promise<Session | undefined> {
  const result = await api.GET('/console/session');
  if (result.response.status === 401) return undefined;
  return remember(ok(result));
}

export async function signIn(token: string): Promise<Session> {
  return remember(ok(await api.POST('/console/session', { body: { token } })));
}

export async function signOut(): Promise<void> {
  await api.DELETE('/console/session');
  csrfToken = undefined;
}

function remember(session: Session): Session {
  csrfToken = session.csrfToken;
  return session;
}

/** A fresh Idempotency-Key: a repeated click sends a new one, a retried request the same. */
export const newKey = () => crypto.randomUUID();
