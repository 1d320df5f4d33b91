/** Responses that stay open for as long as the client listens: GraphQL over SSE, and multipart subscriptions. */
const STREAM_TYPE = /^\s*(?:text\/event-stream|multipart\/mixed)\b/i;
const STREAM_IN_LIST = /(?:^|,)\s*(?:text\/event-stream|multipart\/mixed)\b/i;

/** Whether a response of this Content-Type is a stream. */
export function isStreamType(contentType: string | null): boolean {
  return contentType !== null && STREAM_TYPE.test(contentType);
}

/** Whether a request's Accept header asks for a stream. */
export function acceptsStream(accept: string | undefined): boolean {
  return accept !== undefined && STREAM_IN_LIST.test(accept);
}
