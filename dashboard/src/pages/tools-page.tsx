import { useState } from 'preact/hooks';
import { Tools } from '../api/operations.generated.js';
import { RankedBars } from '../components/ranked-bars.js';
import { Loading } from '../components/loading.js';
import { ProblemNotice } from '../components/problem-notice.js';
import { formatCount, formatDuration, formatRate } from '../format.js';
import type { Range } from '../range.js';
import { useQuery } from '../use-query.js';

/** The API's largest `tools(limit)`. */
export const TOOLS_LIMIT = 50;

type Column = 'name' | 'invocationCount' | 'avgDurationMs' | 'errorRate';
const COLUMNS: readonly { key: Column; label: string; numeric: boolean }[] = [
  { key: 'name', label: 'Tool', numeric: false },
  { key: 'invocationCount', label: 'Invocations', numeric: true },
  { key: 'avgDurationMs', label: 'Average duration', numeric: true },
  { key: 'errorRate', label: 'Error rate', numeric: true },
];

export function ToolsPage({ range }: { range: Range }) {
  const state = useQuery(Tools, { startDate: range.startDate, endDate: range.endDate, limit: TOOLS_LIMIT });
  const [sort, setSort] = useState<{ column: Column; descending: boolean }>({ column: 'invocationCount', descending: true });
  if (state.status === 'loading') return <Loading what="the tools" />;
  if (state.status === 'problem') return <ProblemNotice problem={state.problem} retry={state.retry} />;
  const tools = state.data.analytics?.tools ?? [];
  const sorted = [...tools].sort((a, b) => {
    const x = a[sort.column] ?? -1;
    const y = b[sort.column] ?? -1;
    const order = typeof x === 'string' && typeof y === 'string' ? x.localeCompare(y) : Number(x) - Number(y);
    return (sort.descending ? -order : order) || a.name.localeCompare(b.name);
  });
  return (
    <>
      <h1>Tools</h1>
      {tools.length === 0 ? (
        <p>No tool calls in this range.</p>
      ) : (
        <>
          <RankedBars
            id="tool-invocations"
            title="Invocations per tool"
            bars={sorted.map((t) => ({ label: t.name, value: t.invocationCount, shown: formatCount(t.invocationCount) }))}
          />
          <div class="table-scroll">
            <table class="tools">
              <caption class="visually-hidden">Tools, sortable by each column</caption>
              <thead>
                <tr>
                  {COLUMNS.map((c) => {
                    const active = sort.column === c.key;
                    return (
                      <th scope="col" class={c.numeric ? 'number' : undefined} aria-sort={active ? (sort.descending ? 'descending' : 'ascending') : 'none'}>
                        <button
                          type="button"
                          class="sort"
                          onClick={() => setSort({ column: c.key, descending: active ? !sort.descending : c.numeric })}
                        >
                          {c.label}
                          <span aria-hidden="true">{active ? (sort.descending ? ' ▼' : ' ▲') : ''}</span>
                        </button>
                      </th>
                    );
                  })}
                </tr>
              </thead>
              <tbody>
                {sorted.map((t) => (
                  <tr data-tool={t.name}>
                    <th scope="row">{t.name}</th>
                    <td class="number">{formatCount(t.invocationCount)}</td>
                    <td class="number">{formatDuration(t.avgDurationMs)}</td>
                    <td class="number">{formatRate(t.errorRate)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {tools.length === TOOLS_LIMIT && <p>The {TOOLS_LIMIT} most used tools are shown.</p>}
        </>
      )}
    </>
  );
}
