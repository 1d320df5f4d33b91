import { extname } from 'node:path';

/**
 * The media type of each kind of file the dashboard's build may ship, and whether it is worth compressing. A
 * file of another kind (source maps included) is not served: nothing in the build reaches a browser unless it is
 * listed here.
 */
const TYPES: Readonly<Record<string, { readonly contentType: string; readonly compressible: boolean }>> = {
  '.js': { contentType: 'text/javascript; charset=utf-8', compressible: true },
  '.mjs': { contentType: 'text/javascript; charset=utf-8', compressible: true },
  '.css': { contentType: 'text/css; charset=utf-8', compressible: true },
  '.html': { contentType: 'text/html; charset=utf-8', compressible: true },
  '.json': { contentType: 'application/json; charset=utf-8', compressible: true },
  '.webmanifest': { contentType: 'application/manifest+json; charset=utf-8', compressible: true },
  '.svg': { contentType: 'image/svg+xml', compressible: true },
  // Icons are mostly uncompressed bitmaps.
  '.ico': { contentType: 'image/x-icon', compressible: true },
  '.png': { contentType: 'image/png', compressible: false },
  '.webp': { contentType: 'image/webp', compressible: false },
  '.jpg': { contentType: 'image/jpeg', compressible: false },
  '.jpeg': { contentType: 'image/jpeg', compressible: false },
  '.woff2': { contentType: 'font/woff2', compressible: false },
  '.woff': { contentType: 'font/woff', compressible: false },
};

export interface DashboardContentType {
  readonly contentType: string;
  readonly compressible: boolean;
}

/** The type a file is served as, from its name; null for a kind the gateway does not serve. */
export function dashboardContentType(name: string): DashboardContentType | null {
  return TYPES[extname(name).toLowerCase()] ?? null;
}
