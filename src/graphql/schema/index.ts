import { builder } from '../builder.js';
import './scalars.js';
import './session.js';
import './sessions-connection.js';
import './ingest.js';
import './analytics.js';

builder.queryType({});
builder.mutationType({});

export const schema = builder.toSchema({ sortSchema: false });
