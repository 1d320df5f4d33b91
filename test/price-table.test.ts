import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PriceFileError } from '../src/usage/price-file-error.js';
import { PriceTable } from '../src/usage/price-table.js';

// The bundled list prices (research note §5, USD per million tokens) and how model ids as Claude Code, Bedrock and
// Vertex write them find their price.

const row = (input: number, output: number, fastMultiplier = 1) => ({
  input, output, cacheWrite5m: input * 1.25, cacheWrite1h: input * 2, cacheRead: input * 0.1, fastMultiplier,
});

const LIST: Record<string, ReturnType<typeof row>> = {
  'claude-opus-5': row(5, 25, 2),
  'claude-opus-4-8': row(5, 25, 2),
  'claude-opus-4-7': row(5, 25, 6),
  'claude-opus-4-6': row(5, 25, 6),
  'claude-opus-4-5': row(5, 25),
  'claude-opus-4-1': row(15, 75),
  'claude-opus-4': row(15, 75),
  'claude-sonnet-5': row(2, 10),
  'claude-sonnet-4-6': row(3, 15),
  'claude-sonnet-4-5': row(3, 15),
  'claude-sonnet-4': row(3, 15),
  'claude-haiku-4-5': row(1, 5),
  'claude-fable-5': row(10, 50),
  'claude-mythos-5': row(10, 50),
  'claude-3-7-sonnet': row(3, 15),
  'claude-3-5-sonnet': row(3, 15),
  'claude-3-5-haiku': row(0.8, 4),
  'claude-3-opus': row(15, 75),
  'claude-3-haiku': { input: 0.25, output: 1.25, cacheWrite5m: 0.3, cacheWrite1h: 0.5, cacheRead: 0.03, fastMultiplier: 1 },
};

describe('the bundled price table', () => {
  const table = PriceTable.bundled();

  it('is dated and holds the list price of every model', () => {
    expect(table.asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(table.models).toEqual(Object.keys(LIST).sort());
    for (const [model, price] of Object.entries(LIST)) {
      const found = table.priceFor(model)!;
      for (const field of Object.keys(price) as (keyof typeof price)[]) expect(found[field], `${model}.${field}`).toBeCloseTo(price[field], 10);
    }
  });

  it('prices model ids as Claude Code, Bedrock and Vertex write them', () => {
    const cases: [string, string][] = [
      ['claude-sonnet-4-5-20250929', 'claude-sonnet-4-5'],
      ['claude-opus-4-1-20250805', 'claude-opus-4-1'],
      ['claude-opus-4-20250514', 'claude-opus-4'],
      ['claude-haiku-4-5-20251001', 'claude-haiku-4-5'],
      ['claude-3-5-haiku-20241022', 'claude-3-5-haiku'],
      ['claude-3-7-sonnet-latest', 'claude-3-7-sonnet'],
      ['claude-opus-4-6[1m]', 'claude-opus-4-6'],
      ['claude-sonnet-4-5-20250929[1m]', 'claude-sonnet-4-5'],
      ['us.anthropic.claude-sonnet-4-5-20250929-v1:0', 'claude-sonnet-4-5'],
      ['global.anthropic.claude-opus-4-6-v1', 'claude-opus-4-6'],
      ['anthropic.claude-haiku-4-5-20251001-v1:0', 'claude-haiku-4-5'],
      ['claude-sonnet-4-5@20250929', 'claude-sonnet-4-5'],
      ['claude-opus-4-6@default', 'claude-opus-4-6'],
      ['anthropic/claude-haiku-4-5', 'claude-haiku-4-5'],
      ['claude-opus-4.6', 'claude-opus-4-6'],
      ['claude-opus-4-0', 'claude-opus-4'],
      ['Claude-Opus-4-6', 'claude-opus-4-6'],
    ];
    for (const [id, base] of cases) expect(table.priceFor(id), id).toEqual(table.priceFor(base));
  });

  it('has no price for <synthetic>, an empty id or a model it does not know', () => {
    for (const id of ['<synthetic>', '', 'claude-opus-9', 'gpt-5', 'claude-sonnet-4-5-extra']) expect(table.priceFor(id), id).toBeNull();
  });

  it('finds a dated id whatever its date', () => {
    fc.assert(
      fc.property(fc.constantFrom(...Object.keys(LIST)), fc.integer({ min: 20200101, max: 20991231 }), (model, date) => {
        expect(table.priceFor(`${model}-${date}`)).toEqual(table.priceFor(model));
      }),
    );
  });
});

describe('PriceTable.fromFile', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'trenchcoat-prices-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const file = (name: string, content: unknown) => {
    const path = join(dir, name);
    writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
    return path;
  };

  it('overrides the fields it gives, adds models, and keeps the rest of the bundled table', () => {
    const table = PriceTable.fromFile(file('ok.json', {
      asOf: '2027-01-15',
      models: {
        'claude-opus-4-6': { input: 4, fastMultiplier: 3 },
        'my-proxy-model': { input: 2, output: 8 },
        'claude-opus-9': { input: 6, output: 30, cacheWrite5m: 7, cacheWrite1h: 11, cacheRead: 0.6 },
      },
    }));
    expect(table.asOf).toBe('2027-01-15');
    expect(table.priceFor('claude-opus-4-6')).toEqual({ ...LIST['claude-opus-4-6'], input: 4, fastMultiplier: 3 });
    expect(table.priceFor('claude-opus-4-6-20260101')).toEqual(table.priceFor('claude-opus-4-6'));
    expect(table.priceFor('my-proxy-model')).toEqual({ input: 2, output: 8, cacheWrite5m: 2.5, cacheWrite1h: 4, cacheRead: 0.2, fastMultiplier: 1 });
    expect(table.priceFor('claude-opus-9-20270101')).toEqual({ input: 6, output: 30, cacheWrite5m: 7, cacheWrite1h: 11, cacheRead: 0.6, fastMultiplier: 1 });
    expect(table.priceFor('claude-haiku-4-5')).toEqual(PriceTable.bundled().priceFor('claude-haiku-4-5'));
  });

  it('keeps the bundled date when the file has none', () => {
    expect(PriceTable.fromFile(file('undated.json', { models: {} })).asOf).toBe(PriceTable.bundled().asOf);
  });

  it('refuses a file it cannot use with a PriceFileError naming the file and the field', () => {
    const cases: [string, unknown, RegExp][] = [
      ['not-json.json', '{"models": {', /is not JSON/],
      ['array.json', [], /\(top level\) must be a JSON object/],
      ['no-models.json', { model: {} }, /models must be an object/],
      ['bad-date.json', { asOf: 'yesterday', models: {} }, /asOf must be a date YYYY-MM-DD \(got "yesterday"\)/],
      ['bad-row.json', { models: { 'claude-opus-4-6': 5 } }, /models\["claude-opus-4-6"\] must be an object/],
      ['bad-number.json', { models: { 'claude-opus-4-6': { input: '5' } } }, /models\["claude-opus-4-6"\]\.input must be a number ≥ 0 \(got "5"\)/],
      ['negative.json', { models: { 'claude-opus-4-6': { cacheRead: -1 } } }, /models\["claude-opus-4-6"\]\.cacheRead must be a number ≥ 0 \(got -1\)/],
      ['zero-fast.json', { models: { 'claude-opus-4-6': { fastMultiplier: 0 } } }, /models\["claude-opus-4-6"\]\.fastMultiplier must be a number > 0 \(got 0\)/],
      ['typo.json', { models: { 'claude-opus-4-6': { cache_read: 1 } } }, /models\["claude-opus-4-6"\]\.cache_read is not a price field/],
      ['new-no-output.json', { models: { 'my-model': { input: 1 } } }, /models\["my-model"\]\.output is required for a model the table does not know/],
      ['empty-id.json', { models: { ' ': { input: 1, output: 2 } } }, /models\[" "\] is not a model id/],
    ];
    for (const [name, content, message] of cases) {
      const path = file(name, content);
      expect(() => PriceTable.fromFile(path), name).toThrow(PriceFileError);
      expect(() => PriceTable.fromFile(path), name).toThrow(new RegExp(`^Price file ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: ${message.source}`));
    }
    const missing = join(dir, 'missing.json');
    expect(() => PriceTable.fromFile(missing)).toThrow(new PriceFileError(`Price file ${missing}: cannot be read (ENOENT)`));
  });
});
