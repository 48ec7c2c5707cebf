// pool.mjs is the Node.js counterpart of bench/pool: the same tiny task and
// ~100 µs CPU task through piscina with 2 threads. It prints, per task, the
// throughput with many tasks in flight and the submit-to-result latency of a
// lone task through an idle pool (p50/p99), as a table or, with -json, as
// one JSON object per line in bench/pool's schema. With -keys (bench/run's
// mode) it runs one throughput round of each task after the warm-up and
// prints "tiny <ns per task>" and "cpu <ns per task>" lines only.
//
//   npm ci && node pool.mjs [-n 200000] [-cpu-n 4000] [-lone 5000] [-rounds 3] [-threads 2] [-json | -keys]
import { Piscina, version } from 'piscina';

const args = process.argv.slice(2);
const opt = (name, def) => {
	const i = args.indexOf(name);
	return i >= 0 ? Number(args[i + 1]) : def;
};
const n = opt('-n', 200_000);
const cpuN = opt('-cpu-n', 4_000);
const nLone = opt('-lone', 5_000);
const rounds = opt('-rounds', 3);
const threads = opt('-threads', 2);
const asJSON = args.includes('-json');
const asKeys = args.includes('-keys');
const name = `piscina ${version} (${threads} threads)`;

const pool = new Piscina({
	filename: new URL('./task.mjs', import.meta.url).href,
	minThreads: threads,
	maxThreads: threads,
	idleTimeout: 60_000,
});

// throughput runs count tasks with up to inFlight outstanding at once (the
// Go side's producers keep the pool's queue full the same way).
async function throughput(count, spinUs, inFlight = 512) {
	let submitted = 0;
	const start = process.hrtime.bigint();
	async function lane() {
		while (submitted < count) {
			submitted++;
			await pool.run(spinUs);
		}
	}
	await Promise.all(Array.from({ length: Math.min(inFlight, count) }, lane));
	const secs = Number(process.hrtime.bigint() - start) / 1e9;
	return count / secs;
}

async function lone(count, spinUs) {
	const lat = new Float64Array(count);
	for (let i = 0; i < count; i++) {
		const t0 = process.hrtime.bigint();
		await pool.run(spinUs);
		lat[i] = Number(process.hrtime.bigint() - t0) / 1e3;
	}
	lat.sort();
	const q = (f) => lat[Math.min(Math.floor(f * count), count - 1)];
	return [q(0.5), q(0.99)];
}

const tasks = [
	{ task: 'tiny', spinUs: 0, count: n, lone: nLone },
	{ task: '100µs CPU', spinUs: 100, count: cpuN, lone: Math.max(1, Math.floor(nLone / 10)) },
];
await throughput(Math.min(n, 20_000), 0); // warm up threads and JIT
if (asKeys) {
	const tiny = await throughput(n, 0);
	const cpu = cpuN > 0 ? await throughput(cpuN, 100) : 0;
	await pool.destroy();
	console.log(`tiny ${(1e9 / tiny).toFixed(1)}`);
	if (cpu > 0) console.log(`cpu ${(1e9 / cpu).toFixed(1)}`);
	process.exit(0);
}
const rows = [];
for (const t of tasks) {
	let best = 0;
	for (let r = 0; r < rounds; r++) best = Math.max(best, await throughput(t.count, t.spinUs));
	const [p50, p99] = await lone(t.lone, t.spinUs);
	rows.push({ bench: 'pool', pool: name, task: t.task, tasks_per_s: best, lone_p50_us: p50, lone_p99_us: p99 });
}
await pool.destroy();

if (asJSON) {
	for (const r of rows) console.log(JSON.stringify(r));
} else {
	console.log(`${name}: best of ${rounds} runs, up to 512 tasks in flight; lone-task latency is submit-to-result, one task at a time`);
	for (const r of rows) {
		console.log(`  ${r.task.padEnd(10)} ${(r.tasks_per_s / 1e3).toFixed(1).padStart(8)} k tasks/s   lone p50 ${r.lone_p50_us.toFixed(1)} µs   p99 ${r.lone_p99_us.toFixed(1)} µs`);
	}
	const tiny = rows[0];
	console.log(`lone-task round trip through piscina's threads: p50 ${tiny.lone_p50_us.toFixed(1)} µs (tiny task)`);
}
