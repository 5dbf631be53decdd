/**
 * The operator console's list stream (GET /payment-events) held open during the sweep (`--console-stream`), as an
 * operator's open console holds it: every payment's timeline rows arrive on it as they commit. Counts what it reads.
 */
export class ConsoleStream {
  private readonly abort = new AbortController();
  private reading?: Promise<void>;
  /** Events (timeline rows) received so far. */
  events = 0;

  constructor(
    private readonly apiUrl: string,
    private readonly operatorToken: string,
  ) {}

  async open(): Promise<void> {
    const res = await fetch(`${this.apiUrl}/payment-events`, {
      headers: { authorization: `Bearer ${this.operatorToken}`, accept: 'text/event-stream' },
      signal: this.abort.signal,
    });
    if (res.status !== 200 || !res.body) throw new Error(`the console's list stream answered ${res.status}`);
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    this.reading = (async () => {
      let buffered = '';
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) return;
          buffered += decoder.decode(value, { stream: true });
          const lines = buffered.split('\n');
          buffered = lines.pop() ?? '';
          this.events += lines.filter((l) => l.startsWith('id: ')).length;
        }
      } catch {
        // Aborted by close(), or the api went away: the count stands.
      }
    })();
  }

  async close(): Promise<void> {
    this.abort.abort();
    await this.reading;
  }
}
