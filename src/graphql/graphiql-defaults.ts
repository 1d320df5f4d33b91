export const GRAPHIQL_TITLE = 'Trenchcoat gateway';

export const GRAPHIQL_DEFAULT_QUERY = `# Trenchcoat gateway — GraphiQL
#
# 1. Open the "Headers" tab below and replace the placeholder with your key:
#      { "X-API-Key": "ct_live_..." }
#    (\`npm run demo\` printed one; \`npx trenchcoat keys create --account NAME --scopes read:analytics\`
#    makes another.) \`Authorization: Bearer ct_live_...\` works too.
# 2. Press the run button (or Ctrl+Enter).

query RecentSessions {
  sessions(limit: 10) {
    total
    nodes {
      id
      startedAt
      endedAt
      durationMs
      eventCount
      toolInvocations
    }
    pageInfo {
      hasNextPage
      endCursor
    }
  }
}
`;

export const GRAPHIQL_HEADERS = JSON.stringify({ 'X-API-Key': 'paste your ct_live_ key here' }, null, 2);
