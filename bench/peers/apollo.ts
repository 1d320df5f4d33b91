// Peer: Apollo Server 5, standalone (its own node:http server), SDL + resolvers over the baseline's SQL.
// Run: node --import tsx bench/peers/apollo.ts --db PATH|postgres://… --port N
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { createResolvers, flag, peerContext, typeDefs, type PeerContext } from './schema.js';
import { openPeerStore } from './store.js';

const store = openPeerStore(flag('--db'));
const server = new ApolloServer<PeerContext>({ typeDefs, resolvers: createResolvers(store) });
await startStandaloneServer(server, {
  listen: { port: Number(flag('--port')), host: '127.0.0.1' },
  context: async ({ req }) => peerContext(store, req.headers['x-api-key']),
});

const stop = () => void server.stop().then(() => store.close()).finally(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
