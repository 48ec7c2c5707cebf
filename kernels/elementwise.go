package kernels

import "github.com/sharc-go/sharc/workers"

// Axpy computes y[i] += a·x[i] for every i. It panics if the lengths differ.
// x and y may be the same slice; partial overlap gives unspecified results.
func Axpy[T Number](a T, x, y []T) { AxpyOn(nil, a, x, y) }

// AxpyOn is Axpy on team t (nil: the default team).
func AxpyOn[T Number](t *workers.Team, a T, x, y []T) { axpyOn(cpuBodies, t, a, x, y) }

func axpyOn[T Number](bt *bodies, t *workers.Team, a T, x, y []T) {
	checkLen("Axpy", len(x), len(y))
	if sp := bt.split.streams(3); len(x) < sp.serialBelow {
		axpyBody(bt, a, x, y) // what stream does here, without its closure on the heap
		return
	}
	stream(bt.split.streams(3), t, len(x), func(lo, hi int) { axpyBody(bt, a, x[lo:hi], y[lo:hi]) })
}

// axpyGeneric is the portable single-core Axpy body.
func axpyGeneric[T Number](a T, x, y []T) {
	y = y[:len(x)]
	for i, v := range x {
		y[i] += a * v
	}
}

// Scale computes x[i] *= a for every i.
func Scale[T Number](a T, x []T) { ScaleOn(nil, a, x) }

// ScaleOn is Scale on team t (nil: the default team).
func ScaleOn[T Number](t *workers.Team, a T, x []T) { scaleOn(defaultSplit, t, a, x) }

func scaleOn[T Number](sp split, t *workers.Team, a T, x []T) {
	stream(sp, t, len(x), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			x[i] *= a
		}
	})
}

// Add computes dst[i] = x[i] + y[i]. It panics if the lengths differ. dst
// may be x or y; partial overlap gives unspecified results.
func Add[T Number](dst, x, y []T) { AddOn(nil, dst, x, y) }

// AddOn is Add on team t (nil: the default team).
func AddOn[T Number](t *workers.Team, dst, x, y []T) { addOn(defaultSplit, t, dst, x, y) }

func addOn[T Number](sp split, t *workers.Team, dst, x, y []T) {
	binary(sp, t, "Add", dst, x, y, func(d, a, b []T) {
		for i := range d {
			d[i] = a[i] + b[i]
		}
	})
}

// Sub computes dst[i] = x[i] - y[i], with Add's rules.
func Sub[T Number](dst, x, y []T) { SubOn(nil, dst, x, y) }

// SubOn is Sub on team t (nil: the default team).
func SubOn[T Number](t *workers.Team, dst, x, y []T) { subOn(defaultSplit, t, dst, x, y) }

func subOn[T Number](sp split, t *workers.Team, dst, x, y []T) {
	binary(sp, t, "Sub", dst, x, y, func(d, a, b []T) {
		for i := range d {
			d[i] = a[i] - b[i]
		}
	})
}

// Mul computes dst[i] = x[i] · y[i], with Add's rules.
func Mul[T Number](dst, x, y []T) { MulOn(nil, dst, x, y) }

// MulOn is Mul on team t (nil: the default team).
func MulOn[T Number](t *workers.Team, dst, x, y []T) { mulOn(defaultSplit, t, dst, x, y) }

func mulOn[T Number](sp split, t *workers.Team, dst, x, y []T) {
	binary(sp, t, "Mul", dst, x, y, func(d, a, b []T) {
		for i := range d {
			d[i] = a[i] * b[i]
		}
	})
}

func binary[T Number](sp split, t *workers.Team, name string, dst, x, y []T, f func(d, a, b []T)) {
	checkLen(name, len(dst), len(x))
	checkLen(name, len(x), len(y))
	stream(sp, t, len(x), func(lo, hi int) {
		d, a, b := dst[lo:hi], x[lo:hi], y[lo:hi]
		f(d, a[:len(d)], b[:len(d)])
	})
}
