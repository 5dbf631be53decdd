/**
 * A client of the api's Server-Sent Events streams for the tests: opens a stream, checks its status and headers
 * against the OpenAPI document and each event's data against the named schema, and reads events one by one.
 */
import assert from 'node:assert/strict';
import { contractChecker } from '../api-contract';

export interface StreamEvent<T> {
  id: string;
  data: T;
}

/** Opens the stream at `url`; `next()` resolves to its next event (heartbeats skipped), or undefined once it ended. */
export async function openEventStream<T>(
  url: string,
  opts: { token: string; schema: string; lastEventId?: string; signal?: AbortSignal },
) {
  const headers: Record<string, string> = { authorization: `Bearer ${opts.token}` };
  if (opts.lastEventId) headers['last-event-id'] = opts.lastEventId;
  const res = await fetch(url, { headers, signal: opts.signal });
  assert.deepEqual(contractChecker().responseProblems('GET', url, { status: res.status, headers: res.headers, body: '' }), []);
  assert.equal(res.status, 200);
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = '';
  const next = async (): Promise<StreamEvent<T> | undefined> => {
    for (;;) {
      const end = buffered.indexOf('\n\n');
      if (end >= 0) {
        const lines = buffered.slice(0, end).split('\n');
        buffered = buffered.slice(end + 2);
        if (lines.every((l) => l.startsWith(':'))) continue; // a heartbeat
        const field = (name: string) => lines.find((l) => l.startsWith(`${name}: `))?.slice(name.length + 2);
        const data = JSON.parse(field('data')!) as T;
        assert.equal(contractChecker().validate(`/components/schemas/${opts.schema}`, data), undefined);
        return { id: field('id')!, data };
      }
      const { value, done } = await reader.read();
      if (done) return undefined;
      buffered += value;
    }
  };
  /** The events until the server ends the stream. */
  const rest = async () => {
    const events: StreamEvent<T>[] = [];
    for (let e = await next(); e; e = await next()) events.push(e);
    return events;
  };
  return { next, rest };
}
