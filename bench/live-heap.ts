// The gateway's V8 heap as its /metrics reports it (prom-client's process metrics), to tell the part of
// RSS the heap holds from the rest. With several workers, it is the heap of the one that answered.
import { request } from 'node:http';

export interface HeapReading {
  usedBytes: number;
  totalBytes: number;
  externalBytes: number;
  rssBytes: number;
}

function metric(text: string, name: string): number {
  const line = new RegExp(`^trenchcoat_${name}(?:\\{[^}]*\\})? ([0-9.e+]+)`, 'm').exec(text);
  return line ? Number(line[1]) : Number.NaN;
}

export function readHeap(baseUrl: string, token: string): Promise<HeapReading | null> {
  return new Promise((resolve) => {
    const req = request(`${baseUrl}/metrics`, { headers: { authorization: `Bearer ${token}` }, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () =>
        resolve(
          res.statusCode === 200
            ? {
                usedBytes: metric(text, 'nodejs_heap_size_used_bytes'),
                totalBytes: metric(text, 'nodejs_heap_size_total_bytes'),
                externalBytes: metric(text, 'nodejs_external_memory_bytes'),
                rssBytes: metric(text, 'process_resident_memory_bytes'),
              }
            : null,
        ),
      );
    });
    req.on('error', () => resolve(null));
    req.setTimeout(30_000, () => req.destroy());
    req.end();
  });
}
