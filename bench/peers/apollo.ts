// Peer: Apollo Server 5, standalone (its own node:http server), SDL + resolvers over the baseline's SQL.
// Run: node --import tsx bench/peers/apollo.ts --db PATH --port N
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { SessionsStore } from '../sessions-store.js';
import { createResolvers, flag, headerValue, typeDefs, type PeerContext } from './schema.js';

const store = new SessionsStore(flag('--db'));
const server = new ApolloServer<PeerContext>({ typeDefs, resolvers: createResolvers(store) });
await startStandaloneServer(server, {
  listen: { port: Number(flag('--port')), host: '127.0.0.1' },
  context: async ({ req }) => ({ caller: store.authenticate(headerValue(req.headers['x-api-key'])) }),
});

const stop = () => void server.stop().finally(() => {
  store.close();
  process.exit(0);
});
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
