// Protobuf wire writing for tests, independent of src/otlp/otlp-schema.ts: field numbers from upstream's .proto files.

export function varint(n: bigint): number[] {
  let v = BigInt.asUintN(64, n);
  const out: number[] = [];
  do {
    const byte = Number(v & 0x7fn);
    v >>= 7n;
    out.push(v > 0n ? byte | 0x80 : byte);
  } while (v > 0n);
  return out;
}
export const tag = (fieldNumber: number, wireType: number) => varint(BigInt((fieldNumber << 3) | wireType));
export const len = (fieldNumber: number, bytes: number[]) => [...tag(fieldNumber, 2), ...varint(BigInt(bytes.length)), ...bytes];
export const text = (fieldNumber: number, s: string) => len(fieldNumber, [...Buffer.from(s)]);
export const vint = (fieldNumber: number, n: bigint) => [...tag(fieldNumber, 0), ...varint(n)];
export function fixed64(fieldNumber: number, n: bigint): number[] {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt.asUintN(64, n));
  return [...tag(fieldNumber, 1), ...b];
}
export function double(fieldNumber: number, d: number): number[] {
  const b = Buffer.alloc(8);
  b.writeDoubleLE(d);
  return [...tag(fieldNumber, 1), ...b];
}
export const keyValue = (key: string, anyValue: number[]) => [...text(1, key), ...len(2, anyValue)];
export const body = (bytes: number[]) => Buffer.from(bytes);

/** `levels` AnyValues nested as arrays around a string, as bytes; lengths computed inside out (linear time). */
export function nestedArrayBytes(levels: number): Buffer {
  const leaf = text(1, 'x');
  const sizes: number[] = [leaf.length];
  for (let i = 1; i < levels; i++) {
    const arrayValue = 1 + varint(BigInt(sizes[i - 1]!)).length + sizes[i - 1]!; // ArrayValue.values (1)
    sizes.push(1 + varint(BigInt(arrayValue)).length + arrayValue); // AnyValue.array_value (5)
  }
  const out: number[] = [];
  for (let i = levels - 1; i >= 1; i--) {
    const inner = sizes[i - 1]!;
    const arrayValue = 1 + varint(BigInt(inner)).length + inner;
    out.push(...tag(5, 2), ...varint(BigInt(arrayValue)), ...tag(1, 2), ...varint(BigInt(inner)));
  }
  return Buffer.concat([Buffer.from(out), Buffer.from(leaf)]);
}

/** A logs export of one record whose body is `anyValue` (bytes). */
export function logsWithBody(anyValue: Buffer): Buffer {
  const record = Buffer.concat([Buffer.from(tag(5, 2)), Buffer.from(varint(BigInt(anyValue.length))), anyValue]);
  const scopeLogs = Buffer.concat([Buffer.from(tag(2, 2)), Buffer.from(varint(BigInt(record.length))), record]);
  const resourceLogs = Buffer.concat([Buffer.from(tag(2, 2)), Buffer.from(varint(BigInt(scopeLogs.length))), scopeLogs]);
  return Buffer.concat([Buffer.from(tag(1, 2)), Buffer.from(varint(BigInt(resourceLogs.length))), resourceLogs]);
}
