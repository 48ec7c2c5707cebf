// solver.mjs is cmd/demo/internal/sudoku ported line for line: the same
// parse, the same bitmask state copied at each branch, the same
// propagation (naked and hidden singles) and the same branching on the
// empty cell with the fewest candidates, with the same node budget. The
// state is one Uint16Array (cells, then the row, column and box masks,
// then the count of empty cells), Go's struct copied with slice().

export const DEFAULT_BUDGET = 100_000;

export class SudokuError extends Error {
	constructor(kind, message, cell = 0) {
		super(message);
		this.kind = kind; // 'length', 'char', 'contradiction', 'unsolvable', 'too-hard'
		this.cell = cell;
	}
}

const ALL = 0x1ff; // candidates 1-9 as bits 0-8
const ROWS = 81, COLS = 90, BOXES = 99, EMPTY = 108, SIZE = 109;

const rowOf = new Uint8Array(81), colOf = new Uint8Array(81), boxOf = new Uint8Array(81);
const units = Array.from({ length: 27 }, () => new Uint8Array(9)); // rows, then columns, then boxes
for (let i = 0; i < 81; i++) {
	const r = Math.floor(i / 9), c = i % 9;
	const b = Math.floor(r / 3) * 3 + Math.floor(c / 3);
	rowOf[i] = r;
	colOf[i] = c;
	boxOf[i] = b;
	units[r][c] = i;
	units[9 + c][r] = i;
	units[18 + b][(r % 3) * 3 + (c % 3)] = i;
}

function onesCount16(x) {
	x = x - ((x >> 1) & 0x5555);
	x = (x & 0x3333) + ((x >> 2) & 0x3333);
	x = (x + (x >> 4)) & 0x0f0f;
	return (x + (x >> 8)) & 0x1f;
}

function trailingZeros16(x) {
	return 31 - Math.clz32(x & -x);
}

function cand(st, i) {
	return ALL & ~(st[ROWS + rowOf[i]] | st[COLS + colOf[i]] | st[BOXES + boxOf[i]]);
}

// place puts digit d (1-9) in cell i; it reports false on a clash.
function place(st, i, d) {
	const bit = 1 << (d - 1);
	const r = rowOf[i], c = colOf[i], b = boxOf[i];
	if ((st[ROWS + r] | st[COLS + c] | st[BOXES + b]) & bit) {
		return false;
	}
	st[i] = d;
	st[ROWS + r] |= bit;
	st[COLS + c] |= bit;
	st[BOXES + b] |= bit;
	st[EMPTY]--;
	return true;
}

function load(g) {
	const st = new Uint16Array(SIZE);
	st[EMPTY] = 81;
	for (let i = 0; i < 81; i++) {
		const v = g[i];
		if (v === 0) {
			continue;
		}
		if (!place(st, i, v)) {
			throw new SudokuError('contradiction',
				`sudoku: contradictory givens: ${v} at row ${Math.floor(i / 9) + 1}, column ${(i % 9) + 1} repeats a digit of its row, column or box`, i + 1);
		}
	}
	return st;
}

// parse reads a puzzle of 81 characters: digits 1-9 for givens, '.' or '0'
// for empty cells, and returns its grid (a Uint8Array of 81 cells).
export function parse(s) {
	const chars = Array.from(s);
	if (chars.length !== 81) {
		throw new SudokuError('length', `sudoku: puzzle must have 81 cells, got ${chars.length}`);
	}
	const g = new Uint8Array(81);
	for (let i = 0; i < 81; i++) {
		const c = chars[i];
		if (c === '.' || c === '0') {
			continue;
		}
		if (c >= '1' && c <= '9' && c.length === 1) {
			g[i] = c.charCodeAt(0) - 48;
			continue;
		}
		throw new SudokuError('char', `sudoku: bad character ${JSON.stringify(c)} at cell ${i + 1} (row ${Math.floor(i / 9) + 1}, column ${(i % 9) + 1})`, i + 1);
	}
	load(g);
	return g;
}

export function gridString(g) {
	let s = '';
	for (let i = 0; i < 81; i++) {
		s += g[i] === 0 ? '.' : String.fromCharCode(48 + g[i]);
	}
	return s;
}

// propagate fills naked and hidden singles until none is left; it reports
// false when a cell or a digit has no place left.
function propagate(st) {
	for (let changed = true; changed;) {
		changed = false;
		for (let i = 0; i < 81; i++) {
			if (st[i] !== 0) {
				continue;
			}
			const c = cand(st, i);
			switch (onesCount16(c)) {
			case 0:
				return false;
			case 1:
				place(st, i, trailingZeros16(c) + 1);
				changed = true;
			}
		}
		for (let u = 0; u < 27; u++) {
			let once = 0, twice = 0, placed = 0;
			const unit = units[u];
			for (let k = 0; k < 9; k++) {
				const i = unit[k];
				const v = st[i];
				if (v !== 0) {
					placed |= 1 << (v - 1);
					continue;
				}
				const c = cand(st, i);
				twice |= once & c;
				once |= c;
			}
			if ((once | placed) !== ALL || (once & placed) !== 0) {
				return false;
			}
			const singles = once & ~twice;
			if (singles === 0) {
				continue;
			}
			for (let k = 0; k < 9; k++) {
				const i = unit[k];
				if (st[i] !== 0) {
					continue;
				}
				const h = cand(st, i) & singles;
				if (h === 0) {
					continue;
				}
				if (onesCount16(h) > 1) {
					return false; // one cell is the only home of two digits
				}
				if (!place(st, i, trailingZeros16(h) + 1)) {
					return false;
				}
				changed = true;
			}
		}
	}
	return true;
}

class Searcher {
	constructor(budget) {
		this.budget = budget;
		this.nodes = 0;
		this.found = 0;
		this.first = null;
		this.err = null;
	}

	// search counts solutions below st, stopping at two.
	search(st) {
		this.nodes++;
		if (this.nodes > this.budget && this.err === null) {
			this.nodes--;
			this.err = new SudokuError('too-hard', 'sudoku: too hard: search budget exhausted');
		}
		if (this.err !== null || this.found >= 2) {
			return;
		}
		if (!propagate(st)) {
			return;
		}
		if (st[EMPTY] === 0) {
			if (this.found === 0) {
				this.first = st.slice(0, 81);
			}
			this.found++;
			return;
		}
		// Branch on the empty cell with the fewest candidates.
		let best = -1, bestN = 10;
		for (let i = 0; i < 81; i++) {
			if (st[i] !== 0) {
				continue;
			}
			const n = onesCount16(cand(st, i));
			if (n < bestN) {
				best = i;
				bestN = n;
				if (n === 2) {
					break;
				}
			}
		}
		for (let c = cand(st, best); c !== 0; c &= c - 1) {
			const next = st.slice();
			place(next, best, trailingZeros16(c) + 1);
			this.search(next);
			if (this.err !== null || this.found >= 2) {
				return;
			}
		}
	}
}

// solve solves grid g within maxNodes search nodes and returns
// { solution, unique, nodes }; it throws a SudokuError of kind
// 'unsolvable' or 'too-hard'.
export function solve(g, maxNodes = DEFAULT_BUDGET) {
	const st = load(g);
	const s = new Searcher(maxNodes);
	s.search(st);
	if (s.err !== null) {
		throw s.err;
	}
	if (s.found === 0) {
		throw new SudokuError('unsolvable', 'sudoku: no solution');
	}
	return { solution: s.first, unique: s.found === 1, nodes: s.nodes };
}
