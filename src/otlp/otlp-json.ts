import { ExactNumber } from './exact-number.js';
import { OtlpDecodeError } from './otlp-decode-error.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

function keepingSources(_key: string, value: unknown, context?: { source?: string }): unknown {
  if (typeof value !== 'number' || Number.isSafeInteger(value) || context?.source === undefined) return value;
  return new ExactNumber(context.source, value);
}

/**
 * An OTLP JSON body as a JavaScript value. With `exactNumbers`, every number that is not a safe integer comes as an
 * ExactNumber (a reviver costs several times the plain parse, hence the choice). An empty body is an empty export,
 * as an empty protobuf body is.
 */
export function parseOtlpJson(body: Uint8Array, exactNumbers: boolean): unknown {
  if (body.length === 0) return {};
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    throw new OtlpDecodeError('the body is not UTF-8 text');
  }
  try {
    return exactNumbers ? JSON.parse(text, keepingSources) : JSON.parse(text);
  } catch (error) {
    // The plain parse is iterative; the reviver's walk is not, and a deeply nested body overflows its stack.
    if (error instanceof RangeError) throw new OtlpDecodeError('the JSON body nests too deeply to read');
    throw new OtlpDecodeError(`the body is not JSON (${(error as Error).message})`);
  }
}
