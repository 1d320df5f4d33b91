// The cost and response-shape measures are taken once per operation and set of Int variables
// (src/graphql/per-operation-memo.ts). These specs hold the memo to the measure it wraps, whatever
// the order in which documents and variables come, and check the premise that makes the key
// sufficient: every list-size argument a measure reads is an Int.
import fc from 'fast-check';
import { getNamedType, getOperationAST, isObjectType, parse, type DocumentNode, type ExecutionArgs, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { listSize } from '../src/graphql/list-sizes.js';
import { measureSelections } from '../src/graphql/measure-selections.js';
import { perOperationMemo } from '../src/graphql/per-operation-memo.js';
import { responseShapeBytes } from '../src/graphql/response-shape.js';
import { schema } from '../src/graphql/schema/index.js';

type Variables = ExecutionArgs['variableValues'];

/** Sums every list's size: reads the Int variables through listSize, as the cost and shape measures do. */
function listItems(_schema: typeof schema, document: DocumentNode, operation: OperationDefinitionNode, variables: Variables): number {
  return measureSelections(schema, document, operation, {
    empty: 0,
    field: (node, parent, definition, selection) => listSize(node, parent, definition, operation, variables) * (1 + (selection ?? 0)),
    merge: (a, b) => a + b,
  });
}

const DOCUMENTS = [
  'query($n: Int, $m: Int!, $s: DateTime) { sessions(limit: $n, startDate: $s) { total nodes { id events(limit: $m) { type } } } }',
  'query($n: Int = 7) { sessions(limit: $n) { nodes { id } } a: sessions(limit: 3) { total } }',
  'query($f: Int, $l: Int, $after: String) { sessions(first: $f, last: $l, after: $after) { edges { cursor } } }',
  '{ sessions(limit: 20) { nodes { id events { type } } } }',
].map((text) => parse(text));

const intValue = fc.oneof(fc.integer({ min: -5, max: 600 }), fc.constant(null), fc.constant(undefined), fc.double({ min: 0, max: 300, noNaN: true }));
const otherValue = fc.oneof(fc.string({ maxLength: 12 }), fc.constant('2024-07-01'), fc.constant(null));
const request = fc.record({
  document: fc.integer({ min: 0, max: DOCUMENTS.length - 1 }),
  variables: fc.record({ n: intValue, m: intValue, f: intValue, l: intValue, s: otherValue, after: otherValue }, { requiredKeys: [] }),
});

describe('perOperationMemo', () => {
  it('answers what the measure it wraps answers, for any order of documents and variables', () => {
    fc.assert(
      fc.property(fc.array(request, { minLength: 1, maxLength: 200 }), (requests) => {
        const memo = perOperationMemo(listItems);
        for (const { document, variables } of requests) {
          const doc = DOCUMENTS[document]!;
          const operation = getOperationAST(doc)!;
          expect(memo(schema, doc, operation, variables)).toBe(listItems(schema, doc, operation, variables));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('measures again when an Int variable is not a number (the key would not name it)', () => {
    let measured = 0;
    const memo = perOperationMemo((...args) => {
      measured += 1;
      return listItems(...args);
    });
    const doc = DOCUMENTS[0]!;
    const operation = getOperationAST(doc)!;
    memo(schema, doc, operation, { n: '5', m: 1 });
    memo(schema, doc, operation, { n: '5', m: 1 });
    expect(measured).toBe(2);
    memo(schema, doc, operation, { n: 5, m: 1 });
    memo(schema, doc, operation, { n: 5, m: 1, s: '2024-07-01' });
    expect(measured).toBe(3);
  });

  it('keeps the response shape of a query with variables exact as its limits change', () => {
    const doc = DOCUMENTS[0]!;
    const operation = getOperationAST(doc)!;
    const small = responseShapeBytes(schema, doc, operation, { n: 1, m: 1 });
    const large = responseShapeBytes(schema, doc, operation, { n: 200, m: 1 });
    expect(large).toBeGreaterThan(small * 50);
    expect(responseShapeBytes(schema, doc, operation, { n: 1, m: 1 })).toBe(small);
  });

  it('rests on every list-size argument of the schema being an Int', () => {
    const sizeArguments = Object.values(schema.getTypeMap())
      .filter(isObjectType)
      .flatMap((type) => Object.values(type.getFields()).flatMap((field) => field.args.map((arg) => ({ at: `${type.name}.${field.name}(${arg.name})`, arg }))))
      .filter(({ arg }) => ['limit', 'first', 'last'].includes(arg.name));
    expect(sizeArguments.map(({ at }) => at)).toEqual(expect.arrayContaining(['Query.sessions(limit)', 'Query.sessions(first)', 'Session.events(limit)']));
    for (const { at, arg } of sizeArguments) expect(`${at}: ${getNamedType(arg.type).name}`).toBe(`${at}: Int`);
  });
});
