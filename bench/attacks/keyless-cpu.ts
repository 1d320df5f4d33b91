// Attack 4 (issue 15): without a key, 4 parallel POST /graphql whose 5 MB JSON body hides a
// ~2.6M-deep array in a field GraphQL never reads: `{"query":"{__typename}","x":[[[[…]]]]}`.
import type { AttackLab } from './attack-lab.js';
import { summarizeAnswers } from './answer-summary.js';
import { httpCall } from './http-call.js';

const BODY_LIMIT = 5 * 1024 * 1024;
const PARALLEL = 4;

function deepBody(): Buffer {
  const head = '{"query":"{__typename}","x":';
  const depth = Math.floor((BODY_LIMIT - head.length - 1) / 2);
  return Buffer.from(`${head}${'['.repeat(depth)}${']'.repeat(depth)}}`);
}

export async function keylessCpu(lab: AttackLab): Promise<void> {
  const db = await lab.prepare('keyless-cpu', {});
  const body = deepBody();
  const depth = ((body.length - 30) / 2 / 1e6).toFixed(2);
  await lab.measure(`keyless CPU: ${PARALLEL} × POST /graphql without a key, ${(body.length / 1e6).toFixed(1)} MB, a ${depth}M-deep array`, db, async (gateway, signal) => {
    const answers = await Promise.all(
      Array.from({ length: PARALLEL }, () =>
        httpCall(`${gateway.url}/graphql`, { body, headers: { 'content-type': 'application/json', accept: 'application/json' }, timeoutMs: 120_000, signal }),
      ),
    );
    return summarizeAnswers(answers);
  });
}
