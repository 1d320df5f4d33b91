// Fresh OTLP log exports for the ingestion scenario: one Claude Code export (protobuf) of 100 prompts whose
// records store exactly 1,000 items (700 events, 200 model requests, 100 failed requests), its session id
// replaced per export, so every export is new data (never the dedup path) at almost no cost to the client.
import { claudeCodeLogs, toProtobufBody } from '../test/support/otlp-payloads.js';

const TEMPLATE_SESSION = 'ffffffff-0000-4000-8000-000000000000';
/** Stored items (events, model requests, failed requests) of one export: what the events quota counts. */
export const OTLP_EXPORT_ITEMS = 1000;

export class FreshExports {
  readonly #template: Buffer;
  readonly #offsets: number[] = [];
  #counter = 0;

  /** `tag` (0–255) keeps exports of different producers apart. */
  constructor(readonly tag: number) {
    this.#template = toProtobufBody(claudeCodeLogs({ sessionId: TEMPLATE_SESSION, prompts: 100, seed: 4242 }));
    for (let at = this.#template.indexOf(TEMPLATE_SESSION); at >= 0; at = this.#template.indexOf(TEMPLATE_SESSION, at + 1)) this.#offsets.push(at);
    if (this.#offsets.length === 0) throw new Error('FreshExports: the template holds no session id');
  }

  /** The next export as a request body: the template with a session id no export had before. */
  nextBody(): Buffer {
    const n = this.#counter++;
    if (n >= 0x1000000) throw new Error('FreshExports: out of unique session ids');
    const head = this.tag.toString(16).padStart(2, '0') + n.toString(16).padStart(6, '0');
    const body = Buffer.from(this.#template);
    for (const at of this.#offsets) body.write(head, at, 'latin1');
    return body;
  }
}
