import { PUBLIC_DOCUMENT_CACHE_CONTROL } from '../http/cache-control.js';
import { OPENAPI_DOCUMENT, OPENAPI_PATH } from '../openapi/openapi-document.js';
import type { RestRoute } from './route.js';

const DOCUMENT_JSON = JSON.stringify(OPENAPI_DOCUMENT);

/** The API description needs no key (docs/api.md#authentication-and-keys). */
export const openApiRoute: RestRoute = {
  path: OPENAPI_PATH,
  needs: 'nothing',
  methods: {
    GET: async () => ({
      status: 200,
      content: DOCUMENT_JSON,
      contentType: 'application/json; charset=utf-8',
      headers: { 'cache-control': PUBLIC_DOCUMENT_CACHE_CONTROL },
    }),
  },
};
