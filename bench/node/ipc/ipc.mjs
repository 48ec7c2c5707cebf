// Round trip of a tiny message between a Node.js parent and a child process
// through child_process.fork's IPC channel (process.send / 'message'), the
// counterpart of a sharc proc.Pool call of a tiny task. Prints
// "ipc <ns per round trip>", n round trips timed as one batch.
//
//   node ipc.mjs [-n 20000]
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

if (process.argv[2] === 'child') {
  process.on('message', (m) => {
    if (m === null) process.disconnect();
    else process.send(m);
  });
} else {
  const args = process.argv.slice(2);
  const i = args.indexOf('-n');
  const n = i >= 0 ? Number(args[i + 1]) : 20_000;
  const child = fork(fileURLToPath(import.meta.url), ['child']);
  const rt = (v) => new Promise((res) => { child.once('message', res); child.send(v); });
  for (let j = 0; j < 1000; j++) await rt(j); // warm up
  const t = process.hrtime.bigint();
  for (let j = 0; j < n; j++) await rt(j);
  const ns = Number(process.hrtime.bigint() - t) / n;
  child.send(null);
  await new Promise((res) => child.on('exit', res));
  console.log(`ipc ${ns.toFixed(0)}`);
}
