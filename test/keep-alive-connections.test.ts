// A client that keeps one connection open and pipelines its requests (HTTP/1.1 allows it; load tools
// and proxies do it) gets an answer to every request, never a 503 for having used the connection long.
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './support/test-gateway.js';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(() => t.close());

/** Writes `count` pipelined GET requests in one go on a raw socket and returns every status line received (the bodies, `{"status":"ok"}`, hold none). */
function pipelined(url: string, path: string, count: number): Promise<string[]> {
  const { hostname, port } = new URL(url);
  const request = `GET ${path} HTTP/1.1\r\nHost: ${hostname}\r\nConnection: keep-alive\r\n\r\n`;
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(request.repeat(count)));
    let received = '';
    const statuses = () => received.match(/HTTP\/1\.1 \d{3}/g) ?? [];
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      received += chunk;
      if (statuses().length >= count) socket.end();
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(statuses()));
  });
}

describe('one kept-alive connection', () => {
  it('answers 1,500 pipelined requests all 200 with the default settings', async () => {
    const statuses = await pipelined(t.url, '/healthz', 1500);
    expect(statuses).toHaveLength(1500);
    expect(new Set(statuses)).toEqual(new Set(['HTTP/1.1 200']));
  });
});
