import { GraphQLError } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import { rebuiltError } from '../rebuilt-error.js';

/** graphql-js appends its suggestions last: ` Did you mean "a", "b", or "c"?`, ` Did you mean to use an inline fragment on "T"?`. */
const SUGGESTION = /\s*Did you mean [^?]*\?$/;

function withoutSuggestion<E>(error: E): E | GraphQLError {
  if (!(error instanceof GraphQLError) || !SUGGESTION.test(error.message)) return error;
  return rebuiltError(error, { message: error.message.replace(SUGGESTION, '') });
}

/**
 * No "Did you mean …?" in errors: suggestions spell out the schema's names to anyone probing it
 * (callers without a valid key must never get them). Stripped for every caller: validation runs
 * before the key is looked up (that lookup is asynchronous, validation is not), and Yoga caches
 * a document's validation result for all callers. GraphiQL still completes names from the schema.
 * Covers validation, and the coercion of variables (`Field "x" is not defined by type "EventInput".`).
 */
export function useNoSuggestions(): Plugin {
  const strip = <R extends { errors?: readonly GraphQLError[] }>(result: R): R =>
    result.errors ? { ...result, errors: result.errors.map(withoutSuggestion) as GraphQLError[] } : result;
  return {
    onValidate() {
      return ({ valid, result, setResult }) => {
        if (!valid) setResult(result.map(withoutSuggestion) as GraphQLError[]);
      };
    },
    onExecute() {
      return {
        onExecuteDone({ result, setResult }) {
          if (!isAsyncIterable(result) && result.errors) setResult(strip(result));
        },
      };
    },
    onSubscribe() {
      return {
        onSubscribeResult({ result, setResult }) {
          if (!isAsyncIterable(result) && result.errors) setResult(strip(result));
        },
      };
    },
  };
}
