/**
 * What a key's answer (and any answer on a route that reads keys, refusals included) may be cached as: by the
 * caller's own browser only (`private`: no shared cache keeps one caller's data for another), and only to be
 * revalidated each time (`no-cache`: the ETag makes that a 304 when nothing changed).
 */
export const KEYED_ANSWER_CACHE_CONTROL = 'private, no-cache';

/**
 * The API description and its page: the same for everyone, so shared caches may keep them (`public`), but
 * revalidated each time (`no-cache`, a 304 by ETag) so that an upgraded gateway's description shows at once.
 */
export const PUBLIC_DOCUMENT_CACHE_CONTROL = 'public, no-cache';
