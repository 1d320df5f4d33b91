export interface SseEvent {
  event: string;
  data: any;
}

export interface SseStream {
  readonly status: number;
  readonly contentType: string | null;
  /** The next event, or null when none came within `timeoutMs` or the stream ended. */
  next(timeoutMs?: number): Promise<SseEvent | null>;
  /** Every event until the stream ends (or `timeoutMs` passes without one). */
  rest(timeoutMs?: number): Promise<SseEvent[]>;
  readonly ended: boolean;
  close(): void;
}

/** GraphQL over SSE, the way Yoga's GraphiQL sends it: a JSON POST that accepts text/event-stream. */
export async function subscribe(baseUrl: string, query: string, options: { key?: string | null; variables?: Record<string, unknown> } = {}): Promise<SseStream> {
  const controller = new AbortController();
  const response = await fetch(`${baseUrl}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'text/event-stream',
      ...(options.key ? { 'x-api-key': options.key } : {}),
    },
    body: JSON.stringify({ query, variables: options.variables ?? {} }),
    signal: controller.signal,
  });
  const queue: SseEvent[] = [];
  const waiters: (() => void)[] = [];
  let ended = false;
  const wake = () => waiters.splice(0).forEach((w) => w());
  void (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let split: number;
        while ((split = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, split);
          buffer = buffer.slice(split + 2);
          let event = 'message';
          const data: string[] = [];
          for (const line of block.split('\n')) {
            if (line.startsWith('event:')) event = line.slice(6).trim();
            else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
          }
          if (data.length === 0 && event === 'message') continue; // comments and keep-alives
          const text = data.join('\n');
          queue.push({ event, data: text === '' ? null : JSON.parse(text) });
          wake();
        }
      }
    } catch {
      // aborted by close()
    } finally {
      ended = true;
      wake();
    }
  })();
  async function next(timeoutMs = 2000): Promise<SseEvent | null> {
    if (queue.length > 0) return queue.shift()!;
    if (ended) return null;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
    return queue.shift() ?? null;
  }
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    next,
    async rest(timeoutMs = 2000) {
      const all: SseEvent[] = [];
      for (let e = await next(timeoutMs); e; e = await next(timeoutMs)) all.push(e);
      return all;
    },
    get ended() {
      return ended && queue.length === 0;
    },
    close: () => controller.abort(),
  };
}
