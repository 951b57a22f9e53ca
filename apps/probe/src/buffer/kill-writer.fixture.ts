// Child process for the kill -9 test: appends numbered samples as fast as it can and acks
// some, printing `D <seq>` once an append is durable and `A <seq>` once an ack is persisted.
import { DiskBuffer } from './disk-buffer.ts';
import { testSample } from './test-sample.ts';

const [dir = '', startArg = '0'] = process.argv.slice(2);
const buffer = await DiskBuffer.open({
  dir,
  maxBytes: 8 * 1024 * 1024,
  maxAgeMs: 86_400_000,
  segmentBytes: 16 * 1024,
});
let seq = Number(startArg);
process.stdout.write('READY\n');
for (let round = 0; ; round++) {
  const n = 1 + (round % 20);
  const batch = Array.from({ length: n }, () => testSample(seq++));
  await buffer.append(batch);
  process.stdout.write(`D ${seq - 1}\n`);
  if (round % 3 === 2) {
    const peeked = await buffer.peek(15, 1_000_000);
    await buffer.ack(peeked.end);
    const last = peeked.samples.at(-1)?.seq;
    if (last !== undefined) process.stdout.write(`A ${last}\n`);
  }
}
