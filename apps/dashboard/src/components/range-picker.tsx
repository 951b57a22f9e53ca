import { RANGE_KEYS, type RangeKey } from '../lib/filters.ts';

export function RangePicker({ value, onChange }: { value: RangeKey; onChange: (r: RangeKey) => void }) {
  return (
    <fieldset className="segmented" aria-label="Time range">
      <legend className="sr-only">Time range</legend>
      {RANGE_KEYS.map((r) => (
        <button
          key={r}
          type="button"
          aria-pressed={r === value}
          className={r === value ? 'on' : ''}
          onClick={() => onChange(r)}
          data-testid={`range-${r}`}
        >
          {r}
        </button>
      ))}
    </fieldset>
  );
}
