import { DOCS_INIT_FILE, type DocsAsset } from './docs-assets.js';

/**
 * No inline script, nothing from another host. Swagger UI sets inline styles, and its fonts
 * and icons come as data: URLs.
 */
export const DOCS_PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** The browsing page for /api/v1/openapi.json. Links are relative to /api/v1/docs, so a path prefix added by a proxy keeps working. */
export function docsPage(assets: ReadonlyMap<string, DocsAsset>): string {
  const href = (name: string) => {
    const found = assets.get(name);
    if (!found) throw new Error(`docs asset ${name} is not loaded`);
    return `docs/assets/${name}?v=${found.version}`;
  };
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Trenchcoat gateway REST API</title>
<link rel="stylesheet" href="${href('swagger-ui.css')}">
<link rel="icon" type="image/png" sizes="32x32" href="${href('favicon-32x32.png')}">
<link rel="icon" type="image/png" sizes="16x16" href="${href('favicon-16x16.png')}">
</head>
<body>
<noscript>This page needs JavaScript. The API description itself is at <a href="openapi.json">openapi.json</a>.</noscript>
<div id="swagger-ui"></div>
<script src="${href('swagger-ui-bundle.js')}"></script>
<script src="${href(DOCS_INIT_FILE)}"></script>
</body>
</html>
`;
}
