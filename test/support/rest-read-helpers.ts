// Helpers for the REST read-path and error-envelope specs (rest-*.test.ts, seed-example, tenant-isolation, pg-*).
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { expect } from 'vitest';
import type { Scope } from '../../src/auth/scopes.js';
import type { TestGateway } from './test-gateway.js';

/** A distinct, valid, lower-case UUID for each n (sorts by n as text when n < 16^12). */
export function uuidFor(n: number): string {
  return `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
}

/** A key on the `unlimited` tier, so that specs making many requests never meet a rate limit. */
export async function unlimitedKey(t: TestGateway, account = 'acme', scopes: Scope[] = ['read:analytics', 'write:events']) {
  return t.key({ account, scopes, tier: 'unlimited' });
}

/** The status of a GET of `path` with `key`, its body read to the end (so the connection is free again). */
export async function getStatus(t: TestGateway, path: string, key: string): Promise<number> {
  const response = await t.get(path, key);
  await response.arrayBuffer();
  return response.status;
}

/** Ingests through POST /api/v1/events in batches of at most 1,000 and insists every event is stored. */
export async function ingestAll(t: TestGateway, key: string, events: readonly unknown[]): Promise<void> {
  for (let i = 0; i < events.length; i += 1000) {
    const batch = events.slice(i, i + 1000);
    const response = await t.post('/api/v1/events', { events: batch }, key);
    const body = await response.json();
    expect(response.status).toBe(200);
    expect(body).toEqual({ data: { accepted: batch.length, rejected: 0, duplicates: 0, errors: [] } });
  }
}

/**
 * The REST error envelope (docs/api.md#errors), strictly: `{"error": {"code", "message", "details"?: [{"field", "message"}]}}`
 * with no other key anywhere. When `fields` is given, `details` must be present and name exactly those fields.
 */
export function expectErrorEnvelope(body: unknown, code: string, fields?: readonly string[]): void {
  expect(body).toBeTypeOf('object');
  expect(Object.keys(body as object)).toEqual(['error']);
  const error = (body as { error: Record<string, unknown> }).error;
  const keys = Object.keys(error).sort();
  expect(keys).toEqual(
    'details' in error ? ['code', 'details', 'message'] : ['code', 'message'],
  );
  expect(error['code']).toBe(code);
  expect(error['message']).toBeTypeOf('string');
  expect((error['message'] as string).length).toBeGreaterThan(0);
  if ('details' in error) {
    const details = error['details'] as unknown[];
    expect(Array.isArray(details)).toBe(true);
    expect(details.length).toBeGreaterThan(0);
    for (const d of details) {
      expect(Object.keys(d as object).sort()).toEqual(['field', 'message']);
      expect((d as { field: unknown }).field).toBeTypeOf('string');
      expect((d as { message: unknown }).message).toBeTypeOf('string');
      expect(((d as { message: string }).message).length).toBeGreaterThan(0);
    }
  }
  if (fields !== undefined) {
    expect('details' in error).toBe(true);
    const named = [...new Set((error['details'] as { field: string }[]).map((d) => d.field))].sort();
    expect(named).toEqual([...fields].sort());
  }
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/**
 * One request through node:http, with header names spelled exactly as given (fetch lower-cases
 * them) and an optional body streamed in chunks. Resolves on the response, even when the server
 * answers before it has read the whole body (as it should for a body over the limit).
 */
export function rawRequest(
  url: string,
  options: {
    method?: string;
    headers?: Record<string, string | number>;
    body?: Buffer | string;
    /** Stream the body without Content-Length (chunked transfer encoding). */
    chunked?: boolean;
  } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const body = options.body === undefined ? undefined : Buffer.from(options.body);
    const headers: Record<string, string | number> = { ...options.headers };
    if (body && !options.chunked) headers['Content-Length'] = body.length;
    let settled = false;
    const req = httpRequest(
      { host: target.hostname, port: target.port, path: `${target.pathname}${target.search}`, method: options.method ?? 'GET', headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          settled = true;
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', (e) => {
          if (!settled) reject(e);
        });
      },
    );
    // Writing after the server has answered and closed may fail with EPIPE/ECONNRESET: that is fine
    // once a response arrived; before that it is the test's failure.
    req.on('error', (e) => {
      if (!settled) setTimeout(() => { if (!settled) reject(e); }, 200);
    });
    if (!body) {
      req.end();
      return;
    }
    const CHUNK = 256 * 1024;
    let offset = 0;
    const pump = () => {
      while (offset < body.length) {
        const piece = body.subarray(offset, offset + CHUNK);
        offset += piece.length;
        if (!req.write(piece)) {
          req.once('drain', pump);
          return;
        }
      }
      req.end();
    };
    pump();
  });
}

/** One GET written byte for byte on a socket, for header values node:http refuses to send (UTF-8). */
export function rawSocketGet(url: string, headerLines: Buffer[]): Promise<{ head: string; body: string }> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const socket = connect(Number(target.port), target.hostname);
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('end', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const split = text.indexOf('\r\n\r\n');
      resolve({ head: text.slice(0, split), body: text.slice(split + 4) });
    });
    socket.on('connect', () => {
      socket.write(
        Buffer.concat([
          Buffer.from(`GET ${target.pathname}${target.search} HTTP/1.1\r\nHost: ${target.host}\r\nConnection: close\r\n`, 'latin1'),
          ...headerLines.flatMap((line) => [line, Buffer.from('\r\n')]),
          Buffer.from('\r\n'),
        ]),
      );
    });
  });
}

/** A header's value from a raw response head (`Name: value` lines), case-insensitively. */
export function headFieldValues(head: string, name: string): string[] {
  return head
    .split('\r\n')
    .slice(1)
    .filter((line) => line.toLowerCase().startsWith(`${name.toLowerCase()}:`))
    .map((line) => line.slice(name.length + 1).trim());
}
