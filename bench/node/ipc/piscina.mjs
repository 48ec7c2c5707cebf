// Submit-to-result latency of a lone tiny task through an idle piscina pool
// of 2 threads, one task at a time: the counterpart of a sharc proc.Pool
// call's round trip. Uses the piscina that bench/node/pool installs.
// Prints "lone-p50 <ns>" and "lone-p99 <ns>".
//
//   (cd ../pool && npm ci) && node piscina.mjs [-n 5000]
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const require = createRequire(new URL('../pool/package.json', import.meta.url));
const mod = await import(pathToFileURL(require.resolve('piscina')).href);
const Piscina = mod.Piscina ?? mod.default?.Piscina ?? mod.default;

const args = process.argv.slice(2);
const i = args.indexOf('-n');
const n = i >= 0 ? Number(args[i + 1]) : 5_000;
const pool = new Piscina({
  filename: new URL('../pool/task.mjs', import.meta.url).href,
  minThreads: 2,
  maxThreads: 2,
  idleTimeout: 60_000,
});
for (let j = 0; j < 1000; j++) await pool.run(0); // warm up threads and JIT
const lat = new Float64Array(n);
for (let j = 0; j < n; j++) {
  const t0 = process.hrtime.bigint();
  await pool.run(0);
  lat[j] = Number(process.hrtime.bigint() - t0);
}
lat.sort();
console.log(`lone-p50 ${lat[Math.floor(n / 2)].toFixed(0)}`);
console.log(`lone-p99 ${lat[Math.min(Math.floor(0.99 * n), n - 1)].toFixed(0)}`);
await pool.destroy();
