// Node.js counterpart of sharc's kernels.Sum and kernels.Dot on float64:
// x and y live in SharedArrayBuffers, split into equal contiguous parts
// across W persistent worker_threads. The main thread starts a round by
// bumping a generation word (Atomics.add + Atomics.notify); each worker,
// parked in Atomics.wait, sums its part with four accumulators, stores its
// partial result and counts itself done; the main thread Atomics.waits for
// the count and adds the partials. Prints one line per kernel in the format
// of bench/kernels/stream.c ("sum 12.345", GB/s, best of -reps rounds):
//
//   node kernels.mjs [-n 67108864] [-workers 2] [-reps 5] [-json]
import { Worker, isMainThread, workerData } from 'node:worker_threads';

// Control words: GEN bumped per round, OP the kernel (0 sum, 1 dot, 2 stop),
// DONE the number of workers finished with the round.
const GEN = 0, OP = 1, DONE = 2;

function sum(x, lo, hi) {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0, i = lo;
  for (; i + 4 <= hi; i += 4) { s0 += x[i]; s1 += x[i + 1]; s2 += x[i + 2]; s3 += x[i + 3]; }
  for (; i < hi; i++) s0 += x[i];
  return (s0 + s1) + (s2 + s3);
}

function dot(x, y, lo, hi) {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0, i = lo;
  for (; i + 4 <= hi; i += 4) {
    s0 += x[i] * y[i]; s1 += x[i + 1] * y[i + 1]; s2 += x[i + 2] * y[i + 2]; s3 += x[i + 3] * y[i + 3];
  }
  for (; i < hi; i++) s0 += x[i] * y[i];
  return (s0 + s1) + (s2 + s3);
}

if (!isMainThread) {
  const { ctlBuf, resBuf, xBuf, yBuf, n, w, workers } = workerData;
  const ctl = new Int32Array(ctlBuf), res = new Float64Array(resBuf);
  const x = new Float64Array(xBuf), y = new Float64Array(yBuf);
  const lo = Math.floor(n * w / workers), hi = Math.floor(n * (w + 1) / workers);
  // Fill our own part, so its pages are first touched by this thread.
  for (let i = lo; i < hi; i++) { x[i] = (i % 7) * 0.25; y[i] = (i % 5) * 0.5; }
  let gen = 0;
  Atomics.add(ctl, DONE, 1);
  Atomics.notify(ctl, DONE);
  for (;;) {
    Atomics.wait(ctl, GEN, gen);
    gen = Atomics.load(ctl, GEN);
    const op = Atomics.load(ctl, OP);
    if (op === 2) break;
    res[w] = op === 0 ? sum(x, lo, hi) : dot(x, y, lo, hi);
    Atomics.add(ctl, DONE, 1);
    Atomics.notify(ctl, DONE);
  }
} else {
  const args = process.argv.slice(2);
  const opt = (name, def) => { const i = args.indexOf('-' + name); return i >= 0 ? args[i + 1] : def; };
  const n = Number(opt('n', 1 << 26)), workers = Number(opt('workers', 2)), reps = Number(opt('reps', 5));
  const json = args.includes('-json');
  const ctlBuf = new SharedArrayBuffer(16), resBuf = new SharedArrayBuffer(8 * workers);
  const xBuf = new SharedArrayBuffer(8 * n), yBuf = new SharedArrayBuffer(8 * n);
  const ctl = new Int32Array(ctlBuf), res = new Float64Array(resBuf);
  const ws = [];
  for (let w = 0; w < workers; w++) {
    ws.push(new Worker(new URL(import.meta.url), { workerData: { ctlBuf, resBuf, xBuf, yBuf, n, w, workers } }));
  }
  const waitDone = () => {
    for (let d; (d = Atomics.load(ctl, DONE)) < workers;) Atomics.wait(ctl, DONE, d);
  };
  waitDone(); // workers ready, data filled
  const round = (op) => {
    Atomics.store(ctl, DONE, 0);
    Atomics.store(ctl, OP, op);
    Atomics.add(ctl, GEN, 1);
    Atomics.notify(ctl, GEN);
    waitDone();
    let s = 0;
    for (let w = 0; w < workers; w++) s += res[w];
    return s;
  };
  // Expected values of the fill pattern, to check the results.
  const x = new Float64Array(xBuf), y = new Float64Array(yBuf);
  for (const [name, op, bytes] of [['sum', 0, 8], ['dot', 1, 16]]) {
    let best = Infinity, got = 0;
    round(op); // warm-up: JIT and pages
    for (let r = 0; r < reps; r++) {
      const t = process.hrtime.bigint();
      got = round(op);
      best = Math.min(best, Number(process.hrtime.bigint() - t));
    }
    const want = op === 0 ? sum(x, 0, n) : dot(x, y, 0, n);
    const ok = Math.abs(got - want) <= 1e-9 * Math.abs(want);
    const gbs = bytes * n / best;
    if (json) console.log(JSON.stringify({ kernel: name, type: 'float64', n, workers, ns: best, gb_per_s: gbs, ok }));
    else console.log(`${name} ${gbs.toFixed(3)}`);
    if (!ok) { console.error(`${name}: got ${got}, want ${want}`); process.exitCode = 1; }
  }
  Atomics.store(ctl, OP, 2);
  Atomics.add(ctl, GEN, 1);
  Atomics.notify(ctl, GEN);
  await Promise.all(ws.map((w) => new Promise((r) => w.on('exit', r))));
}
