// fast-check arbitraries of OTLP JSON values (the shapes test/support/otlp-payloads.ts writes).
import fc from 'fast-check';
import type { AnyValueJson } from './otlp-payloads.js';

/** Any AnyValue tree: every kind, 64-bit integers as strings and as JSON numbers, special doubles as strings. */
export const anyValueJson: fc.Arbitrary<AnyValueJson> = fc.letrec<{ value: AnyValueJson }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.string().map((s) => ({ stringValue: s })),
    fc.boolean().map((b) => ({ boolValue: b })),
    fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((n) => ({ intValue: n.toString() })),
    fc.integer().map((n) => ({ intValue: n })),
    fc
      .double()
      .filter((d) => !Object.is(d, -0))
      .map((d) => ({ doubleValue: Number.isFinite(d) ? d : String(d) })),
    fc.uint8Array({ maxLength: 16 }).map((b) => ({ bytesValue: Buffer.from(b).toString('base64') })),
    fc.constant({}),
    fc.array(tie('value'), { maxLength: 3 }).map((values) => ({ arrayValue: { values } })),
    fc.array(fc.record({ key: fc.string({ maxLength: 5 }), value: tie('value') }), { maxLength: 3 }).map((values) => ({ kvlistValue: { values } })),
  ),
})).value;
