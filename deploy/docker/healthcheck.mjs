// Container health check of the server image: GET /readyz with a 2 s budget. The api role answers
// on PORT (the default); the etl role sets FIBERSTACK_HEALTH_URL=http://127.0.0.1:9464/readyz.
const url = process.env.FIBERSTACK_HEALTH_URL || `http://127.0.0.1:${process.env.PORT || '8000'}/readyz`;
try {
  const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
  process.exit(res.ok ? 0 : 1);
} catch {
  process.exit(1);
}
