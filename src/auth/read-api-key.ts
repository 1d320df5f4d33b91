/** The key a request presents: `X-API-Key`, else `Authorization: Bearer`. Never the URL. */
export function readApiKey(headers: { get(name: string): string | null }): string | null {
  const direct = headers.get('x-api-key');
  if (direct !== null) return direct.trim();
  const authorization = headers.get('authorization');
  const bearer = authorization ? /^Bearer\s+(\S+)\s*$/i.exec(authorization) : null;
  return bearer?.[1] ?? null;
}
