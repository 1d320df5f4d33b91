import type { GraphQLResolveInfo } from 'graphql';

/** Where a field sits in the answer, as a client reads it: `session.e3`, `sessions.nodes.4.events`. */
export function responsePath(path: GraphQLResolveInfo['path']): string {
  const keys: (string | number)[] = [];
  for (let at: GraphQLResolveInfo['path'] | undefined = path; at; at = at.prev) keys.push(at.key);
  return keys.reverse().join('.');
}
