// The task run on piscina's threads: nothing (tiny) or spinUs microseconds
// of busy CPU, the same spin as the Go side's (a clock-bounded loop).
export default function task(spinUs) {
	if (spinUs > 0) {
		const end = process.hrtime.bigint() + BigInt(Math.round(spinUs * 1000));
		while (process.hrtime.bigint() < end) {}
	}
	return 1;
}
