/**
 * Live updates: the api's Server-Sent Events (the session cookie goes along, same origin). The browser's
 * EventSource reconnects by itself after a drop and resumes with Last-Event-ID; `onState` tells the page
 * whether it is live, so an operator knows when what they see may be behind.
 */
export interface LiveEvent {
  paymentId: string;
  status: string;
  at: string;
  detail: Record<string, unknown>;
}

export function follow(
  url: string,
  handlers: { onEvent: (event: LiveEvent) => void; onState?: (live: boolean) => void },
): () => void {
  const source = new EventSource(url);
  source.onopen = () => handlers.onState?.(true);
  source.onerror = () => handlers.onState?.(false);
  source.onmessage = (message: MessageEvent<string>) => handlers.onEvent(JSON.parse(message.data) as LiveEvent);
  return () => source.close();
}

/** Calls `fn` once, `ms` after the last of a burst of calls. */
export function debounce(fn: () => void, ms: number): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return () => {
    clearTimeout(timer);
    timer = setTimeout(fn, ms);
  };
}

export const DECISIONS = ['AUTHORIZED', 'DECLINED'];
