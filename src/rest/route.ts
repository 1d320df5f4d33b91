import type { UseCaseContext } from '../use-cases/use-case.js';

export interface RestRequest {
  readonly url: URL;
  readonly body: Buffer | null;
  readonly ctx: UseCaseContext;
  /** Code points of prompt text, tool input and output a hook event keeps (config `hookPreviewChars`). */
  readonly hookPreviewChars: number;
}

/** A JSON answer (`body` is serialized), or content sent as it is (the API description's page and its files). */
export type RestResult =
  | { status: number; body: unknown; headers?: Record<string, string> }
  | { status: number; content: string | Buffer; contentType: string; headers?: Record<string, string> };

export type RestHandler = (request: RestRequest) => Promise<RestResult>;

/**
 * A path and its handlers by method. `needsBody` routes get their body read (within the limit), once the
 * request is admitted; it must be declared `application/json` (else 415, before admission). `needs: 'nothing'`
 * routes (the API description and its page) read no key and are counted per client address (the keyless budget);
 * `'apiKey'` routes refuse a request without a valid key before reading anything else.
 */
export interface RestRoute {
  readonly path: string;
  readonly needs: 'nothing' | 'apiKey';
  readonly methods: Readonly<Record<string, RestHandler>>;
  readonly needsBody?: boolean;
}
