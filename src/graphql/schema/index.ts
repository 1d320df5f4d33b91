import { builder } from '../builder.js';
import './scalars.js';
import './session.js';
import './sessions-connection.js';
import './ingest.js';
import './analytics.js';
import './usage.js';
import './live.js';

builder.queryType({});
builder.mutationType({});
builder.subscriptionType({});

export const schema = builder.toSchema({ sortSchema: false });
