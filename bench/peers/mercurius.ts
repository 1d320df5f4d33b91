// Peer: Fastify 5 + Mercurius 16 with graphql-jit (`jit: 1`: a query is compiled once seen), SDL +
// resolvers over the baseline's SQL.
// Run: node --import tsx bench/peers/mercurius.ts --db PATH|postgres://… --port N
import Fastify from 'fastify';
import mercurius, { type IResolvers } from 'mercurius';
import { createResolvers, flag, peerContext, typeDefs } from './schema.js';
import { openPeerStore } from './store.js';

const store = openPeerStore(flag('--db'));
const app = Fastify();
await app.register(mercurius, {
  schema: typeDefs,
  resolvers: createResolvers(store) as unknown as IResolvers,
  jit: 1,
  context: (request) => peerContext(store, request.headers['x-api-key']),
});
await app.listen({ port: Number(flag('--port')), host: '127.0.0.1' });

const stop = () => void app.close().then(() => store.close()).finally(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
