// Bare spin ping-pong between the main thread and one worker thread on an
// Int32Array over a SharedArrayBuffer (Atomics.load/store only, no
// wait/notify), the counterpart of bench/run's ping-pong on a shm.Uint32.
// Prints "pingpong <ns per round trip>", timed over the whole batch.
//
//   node pingpong.mjs [-n 1000000]
import { Worker, isMainThread, workerData } from 'node:worker_threads';

if (!isMainThread) {
  const w = new Int32Array(workerData.sab);
  for (;;) {
    let v;
    while ((v = Atomics.load(w, 0)) === 0);
    if (v === 2) break;
    Atomics.store(w, 0, 0);
  }
} else {
  const args = process.argv.slice(2);
  const i = args.indexOf('-n');
  const n = i >= 0 ? Number(args[i + 1]) : 1_000_000;
  const sab = new SharedArrayBuffer(64);
  const w = new Int32Array(sab);
  const worker = new Worker(new URL(import.meta.url), { workerData: { sab } });
  await new Promise((r) => worker.once('online', r));
  const rounds = (k) => {
    for (let j = 0; j < k; j++) {
      Atomics.store(w, 0, 1);
      while (Atomics.load(w, 0) !== 0);
    }
  };
  rounds(10_000); // warm up: JIT, the worker's first loop
  const t = process.hrtime.bigint();
  rounds(n);
  const ns = Number(process.hrtime.bigint() - t) / n;
  Atomics.store(w, 0, 2);
  await new Promise((r) => worker.on('exit', r));
  console.log(`pingpong ${ns.toFixed(2)}`);
}
