import type { OperationContext } from '../operations/operation.js';

export interface RestRequest {
  readonly url: URL;
  readonly body: Buffer | null;
  readonly ctx: OperationContext;
  /** Code points of prompt text, tool input and output a hook event keeps (config `hookPreviewChars`). */
  readonly hookPreviewChars?: number;
}

export interface RestResult {
  status: number;
  body: unknown;
}

export type RestHandler = (request: RestRequest) => Promise<RestResult>;

/** A path and its handlers by method. `needsBody` routes get their body read (within the limit). */
export interface RestRoute {
  readonly path: string;
  readonly methods: Readonly<Record<string, RestHandler>>;
  readonly needsBody?: boolean;
}
