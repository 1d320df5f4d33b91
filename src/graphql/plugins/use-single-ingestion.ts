import type { ValidationRule } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { MAX_BATCH_SIZE } from '../../use-cases/ingest-events.js';
import { isIngestingField } from '../ingesting-field.js';
import { limitError } from '../limit-error.js';
import { measureSelections, type SelectionMeasure } from '../measure-selections.js';

/**
 * The response names of the event-storing fields at the operation's root, through fragments. A name met
 * twice is one field (graphql-js merges same-named fields, arguments and all), so it is one batch.
 */
const ingestingRootNames: SelectionMeasure<readonly string[]> = {
  empty: [],
  field: (node, _parent, definition) => (isIngestingField(definition) ? [node.alias?.value ?? node.name.value] : []),
  merge: (a, b) => (b.length === 0 ? a : [...a, ...b]),
};

/**
 * Each storing field runs its own transaction and takes its own share of the events quota, so two of them
 * in one mutation would commit part of a request that is then refused. Counted as written: @skip and
 * @include do not lower the count (validation sees no variables).
 */
function singleIngestionRule(): ValidationRule {
  return function SingleIngestionRule(context) {
    return {
      OperationDefinition(operation) {
        if (operation.operation !== 'mutation') return false;
        const names = [...new Set(measureSelections(context.getSchema(), context.getDocument(), operation, ingestingRootNames))];
        if (names.length > 1) {
          context.reportError(limitError(
            `A mutation may store one batch of events: this one selects ${names.length} event-storing fields (${names.join(', ')}). Send all the events in one field, up to ${MAX_BATCH_SIZE} a request.`,
            operation,
          ));
        }
        return false;
      },
      FragmentDefinition: () => false,
    };
  };
}

/** Refuses, before anything runs, a mutation that selects more than one event-storing root field. */
export function useSingleIngestion(): Plugin {
  const rule = singleIngestionRule();
  return {
    onValidate({ addValidationRule }) {
      addValidationRule(rule);
    },
  };
}
