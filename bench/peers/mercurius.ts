// Peer: Fastify 5 + Mercurius 16 with graphql-jit (`jit: 1`: a query is compiled once seen), SDL +
// resolvers over the baseline's SQL.
// Run: node --import tsx bench/peers/mercurius.ts --db PATH --port N
import Fastify from 'fastify';
import mercurius, { type IResolvers } from 'mercurius';
import { SessionsStore } from '../sessions-store.js';
import { createResolvers, flag, headerValue, typeDefs } from './schema.js';

const store = new SessionsStore(flag('--db'));
const app = Fastify();
await app.register(mercurius, {
  schema: typeDefs,
  resolvers: createResolvers(store) as unknown as IResolvers,
  jit: 1,
  context: (request) => ({ caller: store.authenticate(headerValue(request.headers['x-api-key'])) }),
});
await app.listen({ port: Number(flag('--port')), host: '127.0.0.1' });

const stop = () => void app.close().finally(() => {
  store.close();
  process.exit(0);
});
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
