import type protobuf from 'protobufjs';
import { OtlpDecodeError } from './otlp-decode-error.js';

/**
 * A protobuf body decoded with `type`, as a plain object shaped like its OTLP JSON (lowerCamelCase keys, 64-bit
 * integers as decimal strings, bytes as base64, enums as numbers), for the same readers as JSON bodies.
 * protobufjs refuses truncated messages, invalid wire types and messages nested more than 100 deep (its recursion
 * limit); like protoc, it skips a known field sent with another wire type as an unknown field.
 */
export function decodeOtlpProtobuf(body: Uint8Array, type: protobuf.Type): unknown {
  let message: protobuf.Message;
  try {
    message = type.decode(body);
  } catch (error) {
    throw new OtlpDecodeError(`the body is not a protobuf ${type.name} (${error instanceof Error ? error.message : String(error)})`);
  }
  return type.toObject(message, { longs: String, enums: Number, bytes: String });
}
