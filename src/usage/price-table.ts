import { readFileSync } from 'node:fs';
import type { ModelPrice } from './model-price.js';
import bundledPrices from './model-prices.json' with { type: 'json' };
import { PriceFileError } from './price-file-error.js';

const PRICE_FIELDS = ['input', 'output', 'cacheWrite5m', 'cacheWrite1h', 'cacheRead', 'fastMultiplier'] as const;
type PriceField = (typeof PRICE_FIELDS)[number];

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** A model's id as written in price tables: trimmed, lower case. */
function tableKey(model: string): string {
  return model.trim().toLowerCase();
}

/**
 * The id a model is priced under when it is not in the table as written: provider and context decorations removed.
 * Claude Code writes what the API returned (`claude-sonnet-4-5-20250929`); Bedrock and Vertex name the same models
 * `us.anthropic.claude-sonnet-4-5-20250929-v1:0` and `claude-sonnet-4-5@20250929`; `[1m]` is Claude Code's alias for
 * the 1M context, billed at the same rates.
 */
function baseModelId(model: string): string {
  let id = tableKey(model);
  id = id.replace(/\[[^\]]*\]$/, '');
  id = id.replace(/@.*$/, '');
  id = id.replace(/^(?:[a-z]{2,6}\.)?anthropic[./]/, '');
  id = id.replace(/-v\d+(?::\d+)?$/, '');
  id = id.replace(/-(?:fast|latest)$/, '');
  id = id.replace(/-\d{8}$/, '');
  id = id.replace(/(\d)\.(\d)/g, '$1-$2');
  // `claude-opus-4-0` and `claude-sonnet-4-0` are the API's aliases of the first 4 models.
  id = id.replace(/^(claude-(?:opus|sonnet|haiku)-\d+)-0$/, '$1');
  return id;
}

/**
 * The prices a price file gives, over `base`: a model already in `base` keeps the fields the file leaves out; a new
 * model needs `input` and `output`, its cache prices default to Anthropic's multipliers of the input price (5-minute
 * write 1.25×, 1-hour write 2×, read 0.1×) and its fast multiplier to 1.
 */
function parsePriceFile(
  json: unknown,
  file: string,
  base: ReadonlyMap<string, ModelPrice>,
): { prices: Map<string, ModelPrice>; asOf: string | null } {
  const fail = (field: string, problem: string): never => {
    throw new PriceFileError(`Price file ${file}: ${field} ${problem}`);
  };
  if (!isRecord(json)) return fail('(top level)', 'must be a JSON object with "models"');
  const asOf = json['asOf'];
  if (asOf !== undefined && (typeof asOf !== 'string' || !ISO_DATE.test(asOf))) {
    fail('asOf', `must be a date YYYY-MM-DD (got ${JSON.stringify(asOf)})`);
  }
  const models = json['models'];
  if (!isRecord(models)) return fail('models', 'must be an object of model id → prices');
  const prices = new Map(base);
  for (const [id, row] of Object.entries(models)) {
    const at = `models[${JSON.stringify(id)}]`;
    if (tableKey(id) === '') fail(at, 'is not a model id (empty)');
    if (!isRecord(row)) fail(at, 'must be an object of prices in USD per million tokens');
    const given: Partial<Record<PriceField, number>> = {};
    for (const [field, value] of Object.entries(row as Record<string, unknown>)) {
      if (!(PRICE_FIELDS as readonly string[]).includes(field)) {
        fail(`${at}.${field}`, `is not a price field (they are ${PRICE_FIELDS.join(', ')})`);
      }
      const least = field === 'fastMultiplier' ? 'a number > 0' : 'a number ≥ 0';
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (field === 'fastMultiplier' && value === 0)) {
        fail(`${at}.${field}`, `must be ${least} (got ${JSON.stringify(value)})`);
      }
      given[field as PriceField] = value as number;
    }
    const key = tableKey(id);
    const known = prices.get(key);
    let price: ModelPrice;
    if (known) {
      price = { ...known, ...given };
    } else {
      if (given.input === undefined) fail(`${at}.input`, 'is required for a model the table does not know');
      if (given.output === undefined) fail(`${at}.output`, 'is required for a model the table does not know');
      const input = given.input!;
      price = {
        input,
        output: given.output!,
        cacheWrite5m: given.cacheWrite5m ?? input * 1.25,
        cacheWrite1h: given.cacheWrite1h ?? input * 2,
        cacheRead: given.cacheRead ?? input * 0.1,
        fastMultiplier: given.fastMultiplier ?? 1,
      };
    }
    prices.set(key, Object.freeze(price));
  }
  return { prices, asOf: (asOf as string | undefined) ?? null };
}

/** Model prices by id; a model it does not know has no price (its cost is unknown, not zero). */
export class PriceTable {
  readonly #prices: ReadonlyMap<string, ModelPrice>;
  /** The day the prices were read from the vendor's list (ISO date). */
  readonly asOf: string;

  constructor(prices: ReadonlyMap<string, ModelPrice>, asOf: string) {
    this.#prices = new Map([...prices].map(([model, price]) => [tableKey(model), price]));
    this.asOf = asOf;
  }

  /** The bundled list prices (src/usage/model-prices.json). */
  static bundled(): PriceTable {
    const { prices, asOf } = parsePriceFile(bundledPrices, 'src/usage/model-prices.json', new Map());
    return new PriceTable(prices, asOf!);
  }

  /**
   * The bundled prices with those of a JSON file over them, in the bundled file's shape:
   * `{"asOf": "YYYY-MM-DD", "models": {"<model id>": {"input": 5, "output": 25, …}}}` (USD per million tokens;
   * `asOf` optional). A file that cannot be read or used is a PriceFileError naming the file and the field.
   */
  static fromFile(path: string): PriceTable {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      throw new PriceFileError(`Price file ${path}: cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new PriceFileError(`Price file ${path}: is not JSON (${(error as Error).message})`);
    }
    const bundled = PriceTable.bundled();
    const { prices, asOf } = parsePriceFile(json, path, bundled.#prices);
    return new PriceTable(prices, asOf ?? bundled.asOf);
  }

  /** The model ids the table prices as written (without the decorations {@link priceFor} also accepts). */
  get models(): string[] {
    return [...this.#prices.keys()].sort();
  }

  /**
   * The price of `model` as Claude Code, Bedrock or Vertex name it: an exact entry first, else the entry of its base
   * id (date, `-v1:0`, `@…`, `[1m]`, provider prefix and `-fast` removed). Null for `<synthetic>` (messages Claude Code
   * writes itself) and models the table does not know.
   */
  priceFor(model: string): ModelPrice | null {
    return this.#prices.get(tableKey(model)) ?? this.#prices.get(baseModelId(model)) ?? null;
  }
}
