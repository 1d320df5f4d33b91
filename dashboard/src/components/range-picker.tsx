import { useEffect, useState } from 'preact/hooks';
import { PRESETS, rangeSearch, type Preset, type Range } from '../range.js';
import { navigate, place } from '../router.js';

function go(search: URLSearchParams): void {
  navigate(`${place.get().path}?${search.toString()}`);
}

/** The range of the page, chosen from presets or two dates, written to the URL (so a link or a reload keeps it). */
export function RangePicker({ range }: { range: Range }) {
  const [from, setFrom] = useState(range.from);
  const [to, setTo] = useState(range.to);
  const [custom, setCustom] = useState(range.preset === 'custom');
  // The picker stays mounted when the range changes (a remount would drop the focus of a keyboard user who just
  // picked a preset with the arrow keys): its fields follow the URL instead.
  useEffect(() => {
    setFrom(range.from);
    setTo(range.to);
    setCustom(range.preset === 'custom');
  }, [range.preset, range.from, range.to]);
  return (
    <form
      class="range-picker"
      aria-label="Date range"
      onSubmit={(event) => {
        event.preventDefault();
        if (from && to && from <= to) go(rangeSearch('custom', from, to));
      }}
    >
      <label for="range-preset">Range</label>
      <select
        id="range-preset"
        value={custom ? 'custom' : range.preset}
        onChange={(event) => {
          const preset = event.currentTarget.value as Preset;
          setCustom(preset === 'custom');
          if (preset !== 'custom') go(rangeSearch(preset));
        }}
      >
        {PRESETS.map((p) => (
          <option value={p.value}>{p.label}</option>
        ))}
      </select>
      {custom && (
        <>
          <label for="range-from">From</label>
          <input id="range-from" type="date" value={from} max={to} onInput={(e) => setFrom(e.currentTarget.value)} required />
          <label for="range-to">To</label>
          <input id="range-to" type="date" value={to} min={from} onInput={(e) => setTo(e.currentTarget.value)} required />
          <button type="submit">Apply</button>
        </>
      )}
      <span class="range-shown">
        {range.from === range.to ? range.from : `${range.from} – ${range.to}`}
      </span>
    </form>
  );
}
