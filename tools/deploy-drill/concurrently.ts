/**
 * Bounded concurrency for the drill's hundreds of starts, signals, queries and history reads: one at a time takes
 * minutes, all at once opens hundreds of gRPC streams and database transactions together.
 */

/**
 * fn over every item, at most `limit` at a time; the results in the items' order. After a failure no further
 * item is started, and the first failure is thrown once the calls already running have ended (nothing is left
 * running behind the caller's back).
 */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const lane = async (): Promise<void> => {
    while (failure === undefined && next < items.length) {
      const index = next++;
      try {
        results[index] = await fn(items[index]!, index);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  if (failure) throw failure.error;
  return results;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

/**
 * Calls `check` every `everyMs` until it returns true or `timeoutMs` has passed (or `signal` aborted); returns
 * whether it held. For what the server reports eventually: visibility, drainage, routing.
 */
export async function eventually(
  check: () => Promise<boolean>,
  opts: { timeoutMs: number; everyMs?: number; signal?: AbortSignal },
): Promise<boolean> {
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= deadline || opts.signal?.aborted) return false;
    await sleep(Math.min(opts.everyMs ?? 500, Math.max(0, deadline - Date.now())), opts.signal);
  }
}
