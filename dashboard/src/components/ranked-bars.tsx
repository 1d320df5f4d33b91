import type { Bar } from './bar-chart.js';

/** Named values side by side, longest first as given: a bar per row, its label and figure as text beside it. */
export function RankedBars({ title, bars, id }: { title: string; bars: readonly Bar[]; id: string }) {
  const max = Math.max(1, ...bars.map((b) => b.value));
  return (
    <figure class="chart ranked" aria-labelledby={`${id}-title`}>
      <figcaption id={`${id}-title`}>{title}</figcaption>
      <table>
        <tbody>
          {bars.map((bar) => (
            <tr>
              <th scope="row">{bar.label}</th>
              <td class="ranked-bar">
                <svg viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true" focusable="false">
                  <rect class="bar" x="0" y="0" height="10" width={(bar.value / max) * 100} />
                </svg>
              </td>
              <td class="number">{bar.shown}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
