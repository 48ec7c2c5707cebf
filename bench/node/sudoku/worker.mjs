// worker.mjs is the task piscina runs on its threads: solve one puzzle (a
// string already validated on the request path) within the budget, and
// answer the /solve JSON or the error, as the Go server's pool task does.
import { parse, solve, gridString, DEFAULT_BUDGET } from './solver.mjs';

export default function task({ puzzle, budget = DEFAULT_BUDGET }) {
	const start = process.hrtime.bigint();
	try {
		const r = solve(parse(puzzle), budget);
		const ms = Number(process.hrtime.bigint() - start) / 1e6;
		return { solution: gridString(r.solution), unique: r.unique, ms: Math.round(ms * 1000) / 1000 };
	} catch (e) {
		if (e.kind) {
			return { error: e.kind };
		}
		throw e;
	}
}
