/**
 * Curve smoothing as TensorBoard does it: an exponential moving average,
 * debiased so the first points are not pulled towards zero, that skips
 * gaps (null, NaN) instead of resetting on them.
 */

/** One curve: `[step, value]` pairs (null where the job reported NaN or inf). */
export type Points = ReadonlyArray<readonly [number, number | null]>;

/**
 * The EMA of `points` with `weight` in [0, 1): 0 returns the values as they
 * are, 0.99 is very smooth. A constant curve stays constant (no debias drift).
 */
export function smooth(points: Points, weight: number): (number | null)[] {
  const w = Math.max(0, Math.min(0.999, weight));
  if (w === 0) {
    return points.map(([, v]) => v);
  }
  let last = 0;
  let accumulated = 0;
  return points.map(([, v]) => {
    if (v === null || !isFinite(v)) {
      return null;
    }
    last = last * w + (1 - w) * v;
    accumulated += 1;
    return last / (1 - Math.pow(w, accumulated));
  });
}
