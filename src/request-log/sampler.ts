/**
 * Which requests get their input features stored in the request log. First a share of requests
 * (serve.log_sample_rate), then at most `maxPerSecond` of those per second (a token bucket holding one second's
 * worth): a quiet server stores every input, a busy one a time-uniform share, and the log's write bandwidth stays
 * bounded at any traffic. (A 20 × 300 input is 24 KB: storing all of 2,000 requests/s would write ~48 MB/s, and the
 * kernel time for those writes was ~20% of the server's CPU in the load test.) Predictions are logged regardless.
 *
 * @param rate share in [0, 1]
 * @param maxPerSecond cap on stored inputs per second; 0 = no cap
 * @param now clock in milliseconds (tests pass their own)
 */
export function featureSampler(
  rate: number,
  maxPerSecond: number,
  now: () => number = performance.now.bind(performance),
) {
  if (rate <= 0) return () => false;
  const share = rate >= 1 ? () => true : () => Math.random() < rate;
  if (maxPerSecond <= 0) return share;
  let tokens = maxPerSecond;
  let last = now();
  return (): boolean => {
    if (!share()) return false;
    const t = now();
    tokens = Math.min(maxPerSecond, tokens + ((t - last) * maxPerSecond) / 1000);
    last = t;
    if (tokens < 1) return false;
    tokens -= 1;
    return true;
  };
}
