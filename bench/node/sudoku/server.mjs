// server.mjs is the Node.js counterpart of `demo sudoku-server`, built the
// way Node.js servers move CPU-heavy work off the event loop: an HTTP server
// whose solving runs on piscina, one thread per core, with a bounded queue
// (503 + Retry-After when it is full). It answers what the Go server
// answers for POST /solve, GET /healthz and GET /stats, with the same JSON,
// the same validation on the request path and the same solver
// (solver.mjs, a line-for-line port).
//
//   npm install && node server.mjs [-addr 127.0.0.1:8090] [-threads N] [-queue 64]
//
// It prints "listening on http://ADDR" once it accepts connections, and
// exits 0 on SIGINT or SIGTERM after in-flight requests have finished.
import http from 'node:http';
import os from 'node:os';
import { Piscina, version } from 'piscina';
import { parse } from './solver.mjs';

const args = process.argv.slice(2);
const opt = (name, def) => {
	const i = args.indexOf(name);
	return i >= 0 ? args[i + 1] : def;
};
const addr = opt('-addr', '127.0.0.1:8090');
const threads = Number(opt('-threads', os.availableParallelism()));
const queue = Number(opt('-queue', 64));
for (const [name, v, lo] of [['-threads', threads, 1], ['-queue', queue, 0]]) {
	if (!Number.isInteger(v) || v < lo) {
		console.error(`sudoku-server.mjs: ${name} must be an integer ≥ ${lo}, got ${v}`);
		process.exit(2);
	}
}

const maxQueue = Math.max(queue, 1); // as the Go server: at least one waits
const pool = new Piscina({
	filename: new URL('./worker.mjs', import.meta.url).href,
	minThreads: threads,
	maxThreads: threads,
	// maxQueue stays unbounded: admission is the handler's (see solve).
	idleTimeout: 60_000,
});

const SOLVE_BODY_LIMIT = 4 << 10;
const started = process.hrtime.bigint();
let rejected = 0, failed = 0, admitted = 0;

function sendJSON(res, status, v, headers = {}) {
	const body = JSON.stringify(v) + '\n';
	res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), ...headers });
	res.end(body);
}

const sendError = (res, status, msg, extra = {}) => sendJSON(res, status, { error: msg, ...extra });

// readBody reads at most limit bytes, or answers 400 and returns null.
function readBody(req, res, limit) {
	return new Promise((resolve) => {
		const chunks = [];
		let n = 0, done = false;
		req.on('data', (c) => {
			if (done) return;
			n += c.length;
			if (n > limit) {
				done = true;
				sendError(res, 400, `body too large: limit is ${limit} bytes`);
				req.resume();
				resolve(null);
				return;
			}
			chunks.push(c);
		});
		req.on('end', () => {
			if (!done) {
				done = true;
				resolve(Buffer.concat(chunks));
			}
		});
		req.on('error', () => {
			if (!done) {
				done = true;
				resolve(null);
			}
		});
	});
}

async function solve(req, res) {
	const mt = (req.headers['content-type'] || '').split(';')[0].trim().toLowerCase();
	if (mt !== 'application/json') {
		return sendError(res, 415, 'Content-Type must be application/json');
	}
	const b = await readBody(req, res, SOLVE_BODY_LIMIT);
	if (b === null) return;
	const text = b.toString('utf8');
	if (text.trim() === '') {
		return sendError(res, 400, 'empty body, want a JSON object');
	}
	let body;
	try {
		body = JSON.parse(text);
	} catch (e) {
		return sendError(res, 400, 'body is not JSON: ' + e.message);
	}
	if (body === null || typeof body !== 'object' || Array.isArray(body)) {
		return sendError(res, 400, 'body is not JSON: want an object');
	}
	if (body.puzzle !== undefined && typeof body.puzzle !== 'string') {
		return sendError(res, 400, 'field "puzzle" must be string');
	}
	// Validation is cheap and stays on the request path; only solving goes
	// to the pool.
	try {
		parse(body.puzzle ?? '');
	} catch (e) {
		return sendError(res, 400, 'puzzle: ' + e.message, e.cell ? { cell: e.cell } : {});
	}
	// Admission as in the Go server: threads + queue tasks at most, more
	// are refused at once. (piscina's own maxQueue is not enforced for
	// tasks given an AbortSignal, and aborting a running task terminates
	// its thread, so tasks here take none: a task whose client has gone
	// still runs.)
	if (admitted >= threads + maxQueue) {
		rejected++;
		res.setHeader('Retry-After', '1'); // clients back off instead of piling on
		return sendError(res, 503, 'server busy, retry later');
	}
	let r;
	admitted++;
	try {
		r = await pool.run({ puzzle: body.puzzle });
	} catch (e) {
		failed++;
		console.error('solve:', e);
		return sendError(res, 500, 'internal error');
	} finally {
		admitted--;
	}
	switch (r.error) {
	case undefined:
		return sendJSON(res, 200, r);
	case 'unsolvable':
		return sendError(res, 422, 'puzzle has no solution');
	case 'too-hard':
		return sendError(res, 422, 'too hard: search budget exhausted');
	default:
		return sendError(res, 500, 'internal error');
	}
}

function healthz(req, res) {
	res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': 3 });
	res.end('ok\n');
}

const summary = (h) => h ? { p50: h.p50, p90: h.p90, p99: h.p99, max: h.max, mean: h.mean } : null;

function stats(req, res) {
	const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
	sendJSON(res, 200, {
		runner: `piscina ${version}`,
		workers: pool.threads.length,
		max_workers: threads,
		max_queue: maxQueue,
		queued: pool.queueSize,
		running: Math.max(0, admitted - pool.queueSize),
		completed: pool.completed,
		failed,
		rejected,
		utilization: Math.round(pool.utilization * 1000) / 1000,
		uptime_ms: Math.round(elapsedMs),
		wait_ms: summary(pool.histogram.waitTime),
		run_ms: summary(pool.histogram.runTime),
	});
}

const routes = {
	'/solve': { POST: solve },
	'/healthz': { GET: healthz, HEAD: healthz },
	'/stats': { GET: stats, HEAD: stats },
};

const server = http.createServer((req, res) => {
	const path = req.url.split('?')[0];
	const route = routes[path];
	if (!route) {
		return sendError(res, 404, 'no such path: ' + path);
	}
	const h = route[req.method];
	if (!h) {
		const allow = Object.keys(route).sort().join(', ');
		res.setHeader('Allow', allow);
		return sendError(res, 405, `method ${req.method} not allowed; use ${allow}`);
	}
	Promise.resolve(h(req, res)).catch((e) => {
		console.error(e);
		if (!res.headersSent) sendError(res, 500, 'internal error');
	});
});
// The Go server's limits: header and whole-request timeouts, idle
// keep-alive connections closed after 30 s.
server.headersTimeout = 5_000;
server.requestTimeout = 30_000;
server.keepAliveTimeout = 30_000;
server.maxConnections = 4096;

const [host, port] = [addr.slice(0, addr.lastIndexOf(':')), Number(addr.slice(addr.lastIndexOf(':') + 1))];
server.listen(port, host, () => {
	const a = server.address();
	console.log(`listening on http://${a.address}:${a.port} (piscina ${version}, ${threads} threads, queue ${maxQueue})`);
});

let stopping = false;
function stop() {
	if (stopping) return;
	stopping = true;
	server.close(async () => {
		await pool.destroy();
		process.exit(0);
	});
	server.closeIdleConnections();
	setTimeout(() => process.exit(1), 10_000).unref();
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
