import { apiError, type ApiError } from '../errors/api-error.js';
import type { BytesInFlight, InFlightCeiling } from '../limits/bytes-in-flight.js';
import { formatBytes } from './format-bytes.js';

/** The per-request (and per live message) part of the GraphQL limits. */
export interface BudgetLimits {
  readonly maxResponseBytes: number;
  readonly maxRows: number;
}

/** What the budget has left when a field is charged: for the field's advice on how to ask for less. */
export interface BudgetRoom {
  readonly bytes: number;
  readonly rows: number;
}

/** What a field is about to add, charged before it reads or builds it. */
export interface Charge {
  /** Estimated bytes it adds to the answer, which the answer holds in memory while it is built. */
  readonly bytes?: number;
  /** Rows it reads. */
  readonly rows?: number;
  /** Where it sits in the answer (`session.e3`). */
  readonly path: string;
  /** The schema field (`Session.events`) and what it holds (`500 events`). */
  readonly what: string;
  /** How to ask for less, for a refusal; given what was left before this charge. */
  readonly advice: (room: BudgetRoom) => string;
}

const RETRY_AFTER_SECONDS = 1;

/**
 * The work one GraphQL request (or one live message) may do: estimated response bytes and rows read,
 * charged by each field before it reads anything, so an answer over a limit is refused before it is
 * built. The first refusal sticks: every later charge throws it, and the whole answer becomes it
 * (plugins/use-response-budget.ts). The bytes also count against the key's and the process's bytes in
 * flight until the answer has been handed on (`settle`).
 */
export class ResponseBudget {
  readonly #limits: BudgetLimits;
  readonly #inFlight: BytesInFlight;
  readonly #keyId: string;
  #bytes = 0;
  #rows = 0;
  /** Bytes in flight taken for text being read, not yet charged by the fields that read it. */
  #reserved = 0;
  #held = 0;
  #refusal: ApiError | null = null;

  constructor(limits: BudgetLimits, inFlight: BytesInFlight, keyId: string) {
    this.#limits = limits;
    this.#inFlight = inFlight;
    this.#keyId = keyId;
  }

  get bytes(): number {
    return this.#bytes;
  }

  get rows(): number {
    return this.#rows;
  }

  get maxBytes(): number {
    return this.#limits.maxResponseBytes;
  }

  get refusal(): ApiError | null {
    return this.#refusal;
  }

  /** Bytes that may still be charged before the response limit, less the text being read for fields yet to charge it. */
  get roomBytes(): number {
    return Math.max(0, this.#limits.maxResponseBytes - this.#bytes - this.#reserved);
  }

  /** Rows that may still be charged before the rows limit: how far a field may count what it is about to read. */
  get roomRows(): number {
    return Math.max(0, this.#limits.maxRows - this.#rows);
  }

  /**
   * Takes `bytes` of the key's and the process's bytes in flight before text that size is read (for the
   * fields that will charge it), so that answers read at the same time cannot all read past the ceilings;
   * or takes nothing and names the ceiling it would pass.
   */
  reserve(bytes: number): InFlightCeiling | null {
    const ceiling = bytes > 0 ? this.#inFlight.take(this.#keyId, bytes) : null;
    if (!ceiling) this.#reserved += bytes;
    return ceiling;
  }

  /** Refuses the request for a ceiling of bytes in flight: 429 for the key's, 503 for the process's, with Retry-After. */
  refuseInFlight(ceiling: InFlightCeiling): ApiError {
    const headers = { 'retry-after': String(RETRY_AFTER_SECONDS) };
    return this.refuse(ceiling === 'key'
      ? apiError(
        'RATE_LIMITED',
        `This API key's GraphQL answers being built at once would pass ${formatBytes(this.#inFlight.perKey)}. ` +
          `Retry after ${RETRY_AFTER_SECONDS} second, or ask for less at a time.`,
        undefined,
        headers,
      )
      : apiError('UNAVAILABLE', `The server is building as many large GraphQL answers as it allows. Retry after ${RETRY_AFTER_SECONDS} second.`, undefined, headers));
  }

  /** Throws the refusal, if the request has one: a field about to read checks first. */
  check(): void {
    if (this.#refusal) throw this.#refusal;
  }

  /** Adds a field's bytes and rows, or refuses the whole request (and throws) when that would pass a limit. */
  charge(charge: Charge): void {
    this.check();
    const bytes = Math.max(0, Math.ceil(charge.bytes ?? 0));
    const rows = Math.max(0, Math.ceil(charge.rows ?? 0));
    const { maxResponseBytes, maxRows } = this.#limits;
    const room: BudgetRoom = { bytes: Math.max(0, maxResponseBytes - this.#bytes), rows: Math.max(0, maxRows - this.#rows) };
    if (this.#rows + rows > maxRows) {
      throw this.refuse(apiError(
        'TOO_MANY_ROWS',
        `The request would read more than ${maxRows} rows: ${charge.path} (${charge.what}) reads about ${rows} besides the ` +
          `${this.#rows} counted before it. ${charge.advice(room)}`,
        [{ field: charge.path, message: `reads about ${rows} rows; ${room.rows} were left` }],
      ));
    }
    if (this.#bytes + bytes > maxResponseBytes) {
      throw this.refuse(apiError(
        'RESPONSE_TOO_LARGE',
        `The answer would be larger than ${formatBytes(maxResponseBytes)}: ${charge.path} (${charge.what}) adds about ` +
          `${formatBytes(bytes)} to the ${formatBytes(this.#bytes)} counted before it. ${charge.advice(room)}`,
        [{ field: charge.path, message: `adds about ${formatBytes(bytes)}; ${formatBytes(room.bytes)} were left` }],
      ));
    }
    // Text read for this field was taken from the bytes in flight already: only the rest is taken now.
    const prepaid = Math.min(this.#reserved, bytes);
    const ceiling = bytes > prepaid ? this.#inFlight.take(this.#keyId, bytes - prepaid) : null;
    if (ceiling) throw this.refuseInFlight(ceiling);
    this.#reserved -= prepaid;
    this.#held += bytes;
    this.#bytes += bytes;
    this.#rows += rows;
  }

  /** Refuses the request with `error` unless it is refused already; returns the refusal that sticks. */
  refuse(error: ApiError): ApiError {
    this.#refusal ??= error;
    return this.#refusal;
  }

  /**
   * The answer is complete: its bytes leave the in-flight counts once the current turn of the event loop
   * is over (the answer is serialized and handed to the socket in it). Returns the refusal, if any.
   */
  settle(): ApiError | null {
    const held = this.#held + this.#reserved;
    this.#held = 0;
    this.#reserved = 0;
    if (held > 0) setImmediate(() => this.#inFlight.give(this.#keyId, held));
    return this.#refusal;
  }
}
