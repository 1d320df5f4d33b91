import { useEffect, useState } from 'preact/hooks';
import { ApiProblem } from '../api/api-problem.js';
import { runQuery } from '../api/graphql-client.js';
import { SessionDetail, SessionEvents } from '../api/operations.generated.js';
import { Link } from '../components/link.js';
import { Loading } from '../components/loading.js';
import { ProblemNotice } from '../components/problem-notice.js';
import { formatCount, formatDateTime, formatDuration, formatTime, formatTokens, formatUsd } from '../format.js';
import { apiKey } from '../key-store.js';
import { href } from '../router.js';
import { useSignal } from '../signal.js';
import { timeline, type TimelineEvent } from '../timeline.js';
import { useQuery } from '../use-query.js';

/** The most events one request asks for (the API applies at most 500). */
export const EVENTS_PER_REQUEST = 500;

function Fact({ label, value }: { label: string; value: string }) {
  return (
    <div>
      <dt>{label}</dt>
      <dd>{value}</dd>
    </div>
  );
}

export function SessionPage({ id }: { id: string }) {
  const key = useSignal(apiKey);
  const state = useQuery(SessionDetail, { id, limit: EVENTS_PER_REQUEST });
  const [more, setMore] = useState<TimelineEvent[]>([]);
  const [moreProblem, setMoreProblem] = useState<ApiProblem | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  // A short page means the timeline has no more events, whatever the session's count says.
  const [exhausted, setExhausted] = useState(false);
  useEffect(() => {
    setMore([]);
    setExhausted(false);
  }, [id]);

  if (state.status === 'loading') return <Loading what="the session" />;
  if (state.status === 'problem') return <ProblemNotice problem={state.problem} retry={state.retry} />;
  const session = state.data.session;
  if (!session) {
    return (
      <>
        <h1>Session not found</h1>
        <p>This key's account has no session {id}.</p>
        <p><Link to={href('/sessions')}>All sessions</Link></p>
      </>
    );
  }
  const events = [...session.events, ...more];
  const entries = timeline(events);
  const loadMore = async () => {
    if (key === null) return;
    setLoadingMore(true);
    try {
      const data = await runQuery(SessionEvents, { id, limit: EVENTS_PER_REQUEST, offset: events.length }, key);
      const page = data.session?.events ?? [];
      setMore((m) => [...m, ...page]);
      if (page.length < EVENTS_PER_REQUEST) setExhausted(true);
      setMoreProblem(null);
    } catch (error) {
      setMoreProblem(error instanceof ApiProblem ? error : new ApiProblem('network', String(error)));
    } finally {
      setLoadingMore(false);
    }
  };
  const { usage, activity } = session;
  return (
    <>
      <p class="breadcrumb"><Link to={href('/sessions')}>Sessions</Link> / {formatDateTime(session.startedAt)}</p>
      <h1>Session {formatDateTime(session.startedAt)}</h1>
      <dl class="facts">
        <Fact label="Id" value={session.id} />
        <Fact label="State" value={session.endedAt ? `ended ${formatDateTime(session.endedAt)}` : 'open'} />
        <Fact label="Duration" value={formatDuration(session.durationMs)} />
        <Fact label="Events" value={formatCount(session.eventCount)} />
        <Fact label="Tool invocations" value={formatCount(session.toolInvocations)} />
        {usage && <Fact label="Tokens" value={`${formatTokens(usage.totalTokens)} (in ${formatTokens(usage.inputTokens)}, out ${formatTokens(usage.outputTokens)}, cache write ${formatTokens(usage.cacheCreationTokens)}, cache read ${formatTokens(usage.cacheReadTokens)})`} />}
        {usage && <Fact label="Estimated cost" value={formatUsd(usage.costUsd)} />}
        {usage?.reportedCostUsd != null && <Fact label="Claude Code's own estimate" value={formatUsd(usage.reportedCostUsd)} />}
        {usage && <Fact label="Models" value={usage.models.join(', ') || '—'} />}
        {usage && <Fact label="Model requests" value={`${formatCount(usage.requests)}${usage.apiErrors ? `, ${formatCount(usage.apiErrors)} failed` : ''}`} />}
        {activity && <Fact label="Lines" value={`+${formatCount(activity.linesAdded)} / −${formatCount(activity.linesRemoved)}`} />}
        {activity && <Fact label="Commits, pull requests" value={`${formatCount(activity.commits)}, ${formatCount(activity.pullRequests)}`} />}
      </dl>
      <section class="card" aria-labelledby="session-tools">
        <h2 id="session-tools">Tools used</h2>
        {session.tools.length === 0 ? (
          <p>No tool calls.</p>
        ) : (
          <ul class="chips">
            {session.tools.map((t) => (
              <li>
                {t.name} <span class="count">{formatCount(t.count)}</span>
              </li>
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby="timeline-heading">
        <h2 id="timeline-heading">Timeline</h2>
        <ol class="timeline">
          {entries.map((entry) => (
            <li class={`entry ${entry.kind}${entry.failed ? ' failed' : ''}`} data-kind={entry.kind}>
              <time dateTime={entry.at}>{formatTime(entry.at)}</time>
              <span class="title">
                {entry.failed && <span class="marker">Failed: </span>}
                {entry.title}
              </span>
              {entry.durationMs !== null && <span class="duration">{formatDuration(entry.durationMs)}</span>}
              {entry.detail && <span class="detail">{entry.detail}</span>}
            </li>
          ))}
        </ol>
        {moreProblem && <ProblemNotice problem={moreProblem} retry={() => void loadMore()} />}
        {!exhausted && session.events.length === EVENTS_PER_REQUEST && events.length < session.eventCount && (
          <button type="button" disabled={loadingMore} onClick={() => void loadMore()}>
            {loadingMore ? 'Loading…' : `Load more events (${formatCount(events.length)} of ${formatCount(session.eventCount)} shown)`}
          </button>
        )}
      </section>
    </>
  );
}
