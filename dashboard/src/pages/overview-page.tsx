import { Overview } from '../api/operations.generated.js';
import { BarChart } from '../components/bar-chart.js';
import { Loading } from '../components/loading.js';
import { ProblemNotice } from '../components/problem-notice.js';
import { formatCount, formatTokens, formatUsd } from '../format.js';
import { utcDays, type Range } from '../range.js';
import { useQuery } from '../use-query.js';

function Card({ label, value, id }: { label: string; value: string; id: string }) {
  return (
    <div class="card stat" data-stat={id}>
      <dt>{label}</dt>
      <dd>{value}</dd>
    </div>
  );
}

export function OverviewPage({ range }: { range: Range }) {
  const state = useQuery(Overview, { startDate: range.startDate, endDate: range.endDate });
  if (state.status === 'loading') return <Loading what="the overview" />;
  if (state.status === 'problem') return <ProblemNotice problem={state.problem} retry={state.retry} />;
  const analytics = state.data.analytics;
  if (!analytics) return <p>No analytics for this key.</p>;
  const { overview, days, usage } = analytics;
  const tokens = usage.reduce((sum, day) => sum + day.totalTokens, 0);
  const cost = usage.reduce((sum, day) => sum + day.costUsd, 0);
  const sessionsByDay = new Map(days.map((d) => [d.day, d.sessions]));
  const costByDay = new Map(usage.map((u) => [u.day ?? '', u.costUsd]));
  const chartDays = utcDays(range);
  return (
    <>
      <h1>Overview</h1>
      <dl class="stats">
        <Card id="sessions" label="Sessions" value={formatCount(overview.totalSessions)} />
        <Card id="events" label="Events" value={formatCount(overview.totalEvents)} />
        <Card id="tool-invocations" label="Tool invocations" value={formatCount(overview.totalToolInvocations)} />
        <Card id="active-days" label="Active days" value={formatCount(overview.activeDays)} />
        {usage.length > 0 && <Card id="tokens" label="Tokens" value={formatTokens(tokens)} />}
        {usage.length > 0 && <Card id="cost" label="Estimated cost" value={formatUsd(cost)} />}
      </dl>
      <div class="charts">
        <BarChart
          id="sessions-per-day"
          title="Sessions per day (UTC days)"
          bars={chartDays.map((day) => ({ label: day, value: sessionsByDay.get(day) ?? 0, shown: formatCount(sessionsByDay.get(day) ?? 0) }))}
        />
        {usage.length > 0 && (
          <BarChart
            id="cost-per-day"
            title="Estimated cost per day (UTC days)"
            bars={chartDays.map((day) => ({ label: day, value: costByDay.get(day) ?? 0, shown: formatUsd(costByDay.get(day) ?? 0) }))}
          />
        )}
      </div>
      <section class="card" aria-labelledby="top-tools">
        <h2 id="top-tools">Top tools</h2>
        {overview.topTools.length === 0 ? (
          <p>No tool calls in this range.</p>
        ) : (
          <ol class="top-tools">
            {overview.topTools.map((tool) => (
              <li>
                <span class="tool-name">{tool.name}</span> <span class="count">{formatCount(tool.invocationCount)}</span>
              </li>
            ))}
          </ol>
        )}
      </section>
    </>
  );
}
