/** Numbers and durations as the runs tables show them. */

/** A number short enough for a table cell ("–" for none). */
export function num(value: number | null | undefined): string {
  if (value === null || value === undefined || !isFinite(value)) {
    return '–';
  }
  const a = Math.abs(value);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? value.toExponential(3) : value.toPrecision(4);
}

/** Seconds as "12.3 s" or "4.5 min" ("" for none). */
export function duration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !isFinite(seconds)) {
    return '';
  }
  return seconds < 120 ? `${seconds.toFixed(1)} s` : `${(seconds / 60).toFixed(1)} min`;
}

/** An elapsed time for an axis tick: "45 s", "2m 30s", "1h 05m", "2d 3h". */
export function elapsed(seconds: number): string {
  if (!isFinite(seconds)) {
    return '';
  }
  const s = Math.max(0, seconds);
  if (s < 60) {
    return `${s < 10 && s % 1 ? s.toFixed(1) : Math.round(s)} s`;
  }
  const whole = Math.round(s);
  const [d, h, m, sec] = [
    Math.floor(whole / 86400),
    Math.floor(whole / 3600) % 24,
    Math.floor(whole / 60) % 60,
    whole % 60
  ];
  if (whole < 3600) {
    return sec ? `${m}m ${String(sec).padStart(2, '0')}s` : `${m}m`;
  }
  if (whole < 86400) {
    return m ? `${h}h ${String(m).padStart(2, '0')}m` : `${h}h`;
  }
  return h ? `${d}d ${h}h` : `${d}d`;
}
