// Node.js counterpart of `go run ./cmd/demo transfer-vs-share -json`: one
// worker thread and the main thread pass a Float64Array back and forth, by
// structured clone (copy), with a transfer list (transfer), or through a
// SharedArrayBuffer whose turn word is flipped with Atomics.store + notify
// while the other side is in Atomics.wait (share) or spins (share-spin).
// Prints the same JSON lines as the Go command. As there, round trips are
// timed in batches (grown until a batch takes at least 50 µs) so that clock
// reads are not part of the figure; the percentiles are over batch means.
//
//   node transfer.mjs [-sizes 1KiB,64KiB,1MiB] [-touch ends|all] [-time 0.5] [-modes copy,transfer,share,share-spin]
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

const MODES = ['copy', 'transfer', 'share', 'share-spin'];

function touchFn(touch) {
  if (touch === 'all') {
    return (a) => { let s = 0; for (let i = 0; i < a.length; i++) s += a[i]; return s; };
  }
  return (a) => a[0] + a[a.length - 1];
}

if (!isMainThread) {
  const { mode, touch, sab, n } = workerData;
  const t = touchFn(touch);
  let sink = 0;
  if (mode === 'copy' || mode === 'transfer') {
    parentPort.on('message', (a) => {
      if (a === null) { parentPort.close(); return; }
      sink += t(a);
      if (mode === 'transfer') parentPort.postMessage(a, [a.buffer]);
      else parentPort.postMessage(a);
    });
  } else {
    // turn: 0 main's turn, 1 worker's, 2 stop.
    const turn = new Int32Array(sab, 0, 1);
    const data = new Float64Array(sab, 8, n);
    const spin = mode === 'share-spin';
    for (;;) {
      let v;
      while ((v = Atomics.load(turn, 0)) === 0) {
        if (!spin) Atomics.wait(turn, 0, 0, 1000);
      }
      if (v === 2) break;
      sink += t(data);
      Atomics.store(turn, 0, 0);
      if (!spin) Atomics.notify(turn, 0, 1);
    }
  }
} else {
  const args = process.argv.slice(2);
  const opt = (name, def) => { const i = args.indexOf('-' + name); return i >= 0 ? args[i + 1] : def; };
  const units = { GiB: 1 << 30, MiB: 1 << 20, KiB: 1 << 10, B: 1 };
  const parseSize = (s) => {
    for (const [u, m] of Object.entries(units)) if (s.endsWith(u)) return parseInt(s.slice(0, -u.length), 10) * m;
    return parseInt(s, 10);
  };
  const sizes = opt('sizes', '1KiB,64KiB,1MiB,16MiB,64MiB,256MiB').split(',').map(parseSize);
  const touch = opt('touch', 'ends');
  const budgetNs = BigInt(Math.round(parseFloat(opt('time', '0.5')) * 1e9));
  const modes = opt('modes', MODES.join(',')).split(',');
  const t = touchFn(touch);
  let sink = 0;

  const summarize = (mode, bytes, rts, iters) => {
    rts.sort((a, b) => a - b);
    const p50 = rts[Math.floor(rts.length / 2)];
    const p99 = rts[Math.min(rts.length - 1, Math.floor(rts.length * 99 / 100))];
    const r3 = (v) => Math.round(v * 1000) / 1000;
    return { mode, bytes, touch, iters, rt_us_p50: r3(p50 / 1e3), rt_us_p99: r3(p99 / 1e3) };
  };
  // measure runs batches of k round trips (rt may be async), k doubled
  // until a batch takes 50 µs, for about the time budget, and returns the
  // batch means and the number of round trips.
  const measure = async (rt) => {
    let k = 1;
    for (;;) {
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < k; i++) await rt();
      if (process.hrtime.bigint() - t0 >= 50000n || k >= 65536) break;
      k *= 2;
    }
    const rts = [];
    let iters = 0;
    const start = process.hrtime.bigint();
    while (rts.length < 3 || (process.hrtime.bigint() - start < budgetNs && iters < 1e6)) {
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < k; i++) await rt();
      rts.push(Number(process.hrtime.bigint() - t0) / k);
      iters += k;
    }
    return [rts, iters];
  };
  const measureSync = (rt) => {
    let k = 1;
    for (;;) {
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < k; i++) rt();
      if (process.hrtime.bigint() - t0 >= 50000n || k >= 65536) break;
      k *= 2;
    }
    const rts = [];
    let iters = 0;
    const start = process.hrtime.bigint();
    while (rts.length < 3 || (process.hrtime.bigint() - start < budgetNs && iters < 1e6)) {
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < k; i++) rt();
      rts.push(Number(process.hrtime.bigint() - t0) / k);
      iters += k;
    }
    return [rts, iters];
  };

  async function runMessages(mode, n) {
    const w = new Worker(new URL(import.meta.url), { workerData: { mode, touch, n } });
    let a = new Float64Array(n).map((_, i) => (i % 1000) * 0.5);
    const once = () => new Promise((res) => w.once('message', res));
    const rt = async () => {
      const p = once();
      if (mode === 'transfer') w.postMessage(a, [a.buffer]); else w.postMessage(a);
      a = await p;
      sink += t(a);
    };
    for (let i = 0; i < 3; i++) await rt();
    const [rts, iters] = await measure(rt);
    w.postMessage(null);
    await w.terminate();
    return summarize(mode, n * 8, rts, iters);
  }

  async function runShared(mode, n) {
    const sab = new SharedArrayBuffer(8 + n * 8);
    const turn = new Int32Array(sab, 0, 1);
    const data = new Float64Array(sab, 8, n);
    for (let i = 0; i < n; i++) data[i] = (i % 1000) * 0.5;
    const w = new Worker(new URL(import.meta.url), { workerData: { mode, touch, sab, n } });
    await new Promise((res) => w.once('online', res));
    const spin = mode === 'share-spin';
    const rt = () => {
      Atomics.store(turn, 0, 1);
      if (!spin) Atomics.notify(turn, 0, 1);
      while (Atomics.load(turn, 0) === 1) {
        if (!spin) Atomics.wait(turn, 0, 1, 1000);
      }
      sink += t(data);
    };
    for (let i = 0; i < 3; i++) rt();
    const [rts, iters] = measureSync(rt);
    Atomics.store(turn, 0, 2);
    Atomics.notify(turn, 0, 1);
    await new Promise((res) => w.once('exit', res));
    return summarize(mode, n * 8, rts, iters);
  }

  for (const size of sizes) {
    const n = Math.max(1, Math.floor(size / 8));
    for (const mode of modes) {
      if (!MODES.includes(mode)) throw new Error(`unknown mode ${mode}`);
      const r = mode.startsWith('share') ? await runShared(mode, n) : await runMessages(mode, n);
      console.log(JSON.stringify(r));
    }
  }
  if (Number.isNaN(sink)) console.error(sink);
}
