export interface Bar {
  readonly label: string;
  readonly value: number;
  /** The value as the reader sees it (a count, an amount). */
  readonly shown: string;
}

const WIDTH = 640;
const HEIGHT = 160;
const GAP = 2;

/**
 * A bar per label, drawn as SVG shapes and attributes only (the page's CSP allows no inline style). Screen readers
 * get the same figures as a table.
 */
export function BarChart({ title, bars, id }: { title: string; bars: readonly Bar[]; id: string }) {
  const max = Math.max(1, ...bars.map((b) => b.value));
  const width = bars.length === 0 ? 0 : WIDTH / bars.length;
  return (
    <figure class="chart" aria-labelledby={`${id}-title`}>
      <figcaption id={`${id}-title`}>{title}</figcaption>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} preserveAspectRatio="none" aria-hidden="true" focusable="false">
        <line class="axis" x1="0" y1={HEIGHT - 0.5} x2={WIDTH} y2={HEIGHT - 0.5} />
        {bars.map((bar, i) => {
          const height = bar.value === 0 ? 0 : Math.max(1, (bar.value / max) * (HEIGHT - 8));
          return (
            <rect class="bar" x={i * width + GAP / 2} y={HEIGHT - height} width={Math.max(1, width - GAP)} height={height}>
              <title>{`${bar.label}: ${bar.shown}`}</title>
            </rect>
          );
        })}
      </svg>
      <div class="chart-scale" aria-hidden="true">
        <span>{bars[0]?.label}</span>
        <span>max {bars.find((b) => b.value === max)?.shown ?? '0'}</span>
        <span>{bars[bars.length - 1]?.label}</span>
      </div>
      <table class="visually-hidden">
        <caption>{title}</caption>
        <tbody>
          {bars.map((bar) => (
            <tr>
              <th scope="row">{bar.label}</th>
              <td>{bar.shown}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
