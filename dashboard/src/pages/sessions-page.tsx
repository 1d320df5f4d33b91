import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiProblem } from '../api/api-problem.js';
import { runQuery } from '../api/graphql-client.js';
import { follow } from '../api/live-updates.js';
import { SessionsPage as SessionsPageQuery, SessionUpdates, type SessionsPageQuery as PageResult } from '../api/operations.generated.js';
import { Link } from '../components/link.js';
import { ProblemNotice } from '../components/problem-notice.js';
import { formatCount, formatDateTime, formatDuration, formatTokens, formatUsd } from '../format.js';
import { apiKey } from '../key-store.js';
import type { Range } from '../range.js';
import { href } from '../router.js';
import { useSignal } from '../signal.js';

type Row = NonNullable<PageResult['sessions']>['nodes'][number];

export const PAGE_SIZE = 50;

/** Newest first: by start, then id, as the API orders STARTED_AT_DESC. */
function newestFirst(a: Row, b: Row): number {
  return Date.parse(b.startedAt) - Date.parse(a.startedAt) || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}

interface Listing {
  rows: Row[];
  total: number;
  endCursor: string | null;
  hasNextPage: boolean;
}

const EMPTY: Listing = { rows: [], total: 0, endCursor: null, hasNextPage: true };

/** A live change to a session: replaces a listed one, or lists a new one when it falls among the loaded rows. */
function applyUpdate(listing: Listing, session: Row, range: Range): Listing {
  const index = listing.rows.findIndex((r) => r.id === session.id);
  if (index >= 0) {
    const rows = listing.rows.slice();
    rows[index] = session;
    return { ...listing, rows: rows.sort(newestFirst) };
  }
  const at = Date.parse(session.startedAt);
  if (at < Date.parse(range.startDate) || at > Date.parse(range.endDate)) return listing;
  const last = listing.rows[listing.rows.length - 1];
  const withinLoaded = !listing.hasNextPage || (last !== undefined && newestFirst(session, last) < 0);
  if (!withinLoaded) return { ...listing, total: listing.total + 1 };
  return { ...listing, total: listing.total + 1, rows: [...listing.rows, session].sort(newestFirst) };
}

export function SessionsPage({ range }: { range: Range }) {
  const key = useSignal(apiKey);
  const [listing, setListing] = useState<Listing>(EMPTY);
  const [loading, setLoading] = useState(false);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [live, setLive] = useState<'connecting' | 'live' | 'off'>('connecting');
  const generation = useRef(0);
  // The listing whose next page is on its way (a scroll and a click must not ask twice).
  const inFlight = useRef(0);
  const sentinel = useRef<HTMLDivElement>(null);

  async function loadMore(from: Listing, run: number): Promise<void> {
    if (key === null || !from.hasNextPage || inFlight.current === run) return;
    inFlight.current = run;
    setLoading(true);
    try {
      const data = await runQuery(SessionsPageQuery, { startDate: range.startDate, endDate: range.endDate, first: PAGE_SIZE, after: from.endCursor }, key);
      if (run !== generation.current) return;
      const page = data.sessions;
      if (!page) return;
      setListing((current) => {
        const known = new Set(current.rows.map((r) => r.id));
        return {
          rows: [...current.rows, ...page.nodes.filter((n) => !known.has(n.id))],
          total: page.total,
          endCursor: page.pageInfo.endCursor ?? current.endCursor,
          hasNextPage: page.pageInfo.hasNextPage,
        };
      });
      setProblem(null);
    } catch (error) {
      if (run === generation.current) setProblem(error instanceof ApiProblem ? error : new ApiProblem('network', String(error)));
    } finally {
      if (inFlight.current === run) inFlight.current = 0;
      if (run === generation.current) setLoading(false);
    }
  }

  // A new range (or key) starts the listing over.
  useEffect(() => {
    const run = ++generation.current;
    setListing(EMPTY);
    setProblem(null);
    void loadMore(EMPTY, run);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [range.startDate, range.endDate, key]);

  useEffect(() => {
    if (key === null) return;
    setLive('connecting');
    return follow(SessionUpdates, {}, key, {
      open: () => setLive('live'),
      next: ({ sessionUpdated }) => setListing((current) => applyUpdate(current, sessionUpdated, range)),
      problem: () => setLive('off'),
    });
  }, [key, range.startDate, range.endDate]);

  // Infinite scroll: the row after the last one coming into view loads the next page.
  useEffect(() => {
    const target = sentinel.current;
    if (!target || !listing.hasNextPage || loading || problem) return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) void loadMore(listing, generation.current);
    });
    observer.observe(target);
    return () => observer.disconnect();
  });

  return (
    <>
      <h1>Sessions</h1>
      <p class="summary" aria-live="polite">
        <span data-total={listing.total}>{formatCount(listing.total)} sessions</span> in this range, newest first
        {listing.rows.length > 0 && listing.rows.length < listing.total && <>, {formatCount(listing.rows.length)} shown</>}.{' '}
        <span class={`live-state ${live}`}>{live === 'live' ? 'Live: updates appear as they arrive.' : live === 'off' ? 'Live updates are off.' : ''}</span>
      </p>
      <div class="table-scroll">
        <table class="sessions">
          <thead>
            <tr>
              <th scope="col">Started</th>
              <th scope="col">Duration</th>
              <th scope="col" class="number">Events</th>
              <th scope="col" class="number">Tool invocations</th>
              <th scope="col" class="number">Tokens</th>
              <th scope="col" class="number">Cost</th>
              <th scope="col">State</th>
            </tr>
          </thead>
          <tbody>
            {listing.rows.map((s) => (
              <tr key={s.id} data-session={s.id}>
                <td>
                  <Link to={href(`/sessions/${encodeURIComponent(s.id)}`)}>{formatDateTime(s.startedAt)}</Link>
                </td>
                <td>{s.endedAt ? formatDuration(s.durationMs) : '—'}</td>
                <td class="number">{formatCount(s.eventCount)}</td>
                <td class="number">{formatCount(s.toolInvocations)}</td>
                <td class="number">{s.usage ? formatTokens(s.usage.totalTokens) : '—'}</td>
                <td class="number">{s.usage ? formatUsd(s.usage.costUsd) : '—'}</td>
                <td>{s.endedAt ? 'ended' : <span class="open">open</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {problem && <ProblemNotice problem={problem} retry={() => void loadMore(listing, generation.current)} />}
      {!loading && listing.rows.length === 0 && !listing.hasNextPage && <p>No sessions started in this range.</p>}
      <div ref={sentinel} class="more">
        {listing.hasNextPage ? (
          <button type="button" disabled={loading} onClick={() => void loadMore(listing, generation.current)}>
            {loading ? 'Loading…' : 'Load more sessions'}
          </button>
        ) : (
          listing.rows.length > 0 && <p class="end-of-list">All {formatCount(listing.rows.length)} sessions shown.</p>
        )}
      </div>
    </>
  );
}
