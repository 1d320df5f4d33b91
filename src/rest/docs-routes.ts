import { PUBLIC_DOCUMENT_CACHE_CONTROL } from '../http/cache-control.js';
import { DOCS_ASSET_FILES, DOCS_ASSETS_PATH, DOCS_PAGE_PATH, docsAssets } from '../openapi/docs-assets.js';
import { DOCS_PAGE_CSP, docsPage } from '../openapi/docs-page.js';
import type { RestRoute } from './route.js';

const NO_SNIFF = { 'x-content-type-options': 'nosniff' };

/** A Swagger UI page for /api/v1/openapi.json; like the document, it needs no key. */
export const docsPageRoute: RestRoute = {
  path: DOCS_PAGE_PATH,
  needs: 'nothing',
  methods: {
    GET: async () => ({
      status: 200,
      content: docsPage(await docsAssets()),
      contentType: 'text/html; charset=utf-8',
      // The CSP's frame-ancestors 'none' keeps the page out of frames; X-Frame-Options says so to older browsers.
      headers: { ...NO_SNIFF, 'cache-control': PUBLIC_DOCUMENT_CACHE_CONTROL, 'content-security-policy': DOCS_PAGE_CSP, 'x-frame-options': 'DENY' },
    }),
  },
};

/**
 * One route per allowed file, so that no other name (nor `..`) can reach node_modules. Asked for
 * the version the page links to, a file never changes and may be cached for good.
 */
export const docsAssetRoutes: readonly RestRoute[] = DOCS_ASSET_FILES.map((name) => ({
  path: `${DOCS_ASSETS_PATH}/${name}`,
  needs: 'nothing',
  methods: {
    GET: async ({ url }) => {
      const asset = (await docsAssets()).get(name)!;
      const pinned = url.searchParams.get('v') === asset.version;
      return {
        status: 200,
        content: asset.content,
        contentType: asset.contentType,
        headers: { ...NO_SNIFF, 'cache-control': pinned ? 'public, max-age=31536000, immutable' : 'no-cache' },
      };
    },
  },
}));
