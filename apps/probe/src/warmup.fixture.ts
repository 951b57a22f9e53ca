// Fresh-process fixture: warm up (unless --cold), then time 10 HTTP checks to a loopback server.
import { createServer } from 'node:http';
import { httpCheck } from './checks/http.check.ts';
import { makeTarget } from './checks/make-target.ts';
import { warmUp } from './warmup.ts';

const server = createServer((_req, res) => res.end('ok'));
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const { port } = server.address() as { port: number };
if (!process.argv.includes('--cold')) await warmUp();
const totals: number[] = [];
for (let i = 0; i < 10; i++) {
  const r = await httpCheck.run(makeTarget('http', `http://localhost:${port}/`), AbortSignal.timeout(5000));
  totals.push(r.http?.total_ms ?? -1);
}
server.close();
process.stdout.write(`${JSON.stringify(totals)}\n`);
