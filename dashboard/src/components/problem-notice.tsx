import type { ApiProblem } from '../api/api-problem.js';
import { forgetKey } from '../key-store.js';

const EXPLAINED: Record<ApiProblem['kind'], string> = {
  unauthenticated: 'The gateway does not know this API key (it may have been revoked). Forget it and paste another.',
  forbidden: 'This API key may not read sessions and analytics: it needs the read:analytics scope (a read-only key is enough).',
  'rate-limited': 'This key has made too many requests for now.',
  unavailable: 'The gateway cannot reach its database at the moment.',
  refused: 'The gateway refused the request.',
  network: 'The gateway could not be reached. Check that it is running.',
};

export function ProblemNotice({ problem, retry }: { problem: ApiProblem; retry?: () => void }) {
  const wait = problem.retryAfterSeconds;
  return (
    <div class="notice" role="alert">
      <p>
        <strong>{EXPLAINED[problem.kind]}</strong>
        {wait !== null && ` The page retries by itself in ${wait} s (at ${new Date(Date.now() + wait * 1000).toLocaleTimeString()}).`}
      </p>
      <p class="notice-detail">{problem.message}</p>
      <p class="actions">
        {retry && <button type="button" onClick={retry}>Try again</button>}
        {(problem.kind === 'unauthenticated' || problem.kind === 'forbidden') && (
          <button type="button" onClick={forgetKey}>Forget key</button>
        )}
      </p>
    </div>
  );
}
