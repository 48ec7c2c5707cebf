package proc

import (
	"context"
	"encoding/binary"
	"fmt"
	"reflect"
	"sync"
	"unsafe"

	"github.com/sharc-go/sharc/shm"
)

// codec encodes and decodes one type, worked out once per type.
type codec struct {
	typ   reflect.Type
	slice bool // a slice of fixed-size elements
	size  int  // encoded bytes of the value, or of one element of a slice
	raw   bool // the memory layout is the encoded layout
}

var littleEndian = func() bool {
	x := uint16(1)
	return *(*byte)(unsafe.Pointer(&x)) == 1
}()

var codecs sync.Map // reflect.Type → *codec

func codecFor[T any]() (*codec, error) {
	t := reflect.TypeFor[T]()
	if c, ok := codecs.Load(t); ok {
		return c.(*codec), nil
	}
	c := &codec{typ: t}
	elem := t
	if t.Kind() == reflect.Slice {
		c.slice, elem = true, t.Elem()
	}
	c.size = binary.Size(reflect.Zero(elem).Interface())
	if c.size <= 0 && !(c.size == 0 && elem.Size() == 0) {
		return nil, fmt.Errorf("proc: %v has no fixed-size encoding: use sized numbers (int64, not int), bools, arrays and structs of those, or a slice of them", t)
	}
	if c.slice && c.size == 0 {
		return nil, fmt.Errorf("proc: %v: a slice of zero-size elements cannot be encoded", t)
	}
	// A bool is decoded from any non-zero byte; a copied byte other than 0
	// or 1 would not be a valid bool.
	c.raw = littleEndian && uintptr(c.size) == elem.Size() && !hasBool(elem)
	codecs.Store(t, c)
	return c, nil
}

func hasBool(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Bool:
		return true
	case reflect.Array:
		return hasBool(t.Elem())
	case reflect.Struct:
		for i := range t.NumField() {
			if hasBool(t.Field(i).Type) {
				return true
			}
		}
	}
	return false
}

func mustCodec[T any](fn string) *codec {
	c, err := codecFor[T]()
	if err != nil {
		panic(fn + ": " + err.Error())
	}
	return c
}

// sliceHeader is the memory layout of every Go slice.
type sliceHeader struct {
	data     unsafe.Pointer
	len, cap int
}

func (c *codec) append(b []byte, v any, p unsafe.Pointer) []byte {
	if !c.raw {
		out, err := binary.Append(b, binary.LittleEndian, v)
		if err != nil {
			panic("proc: encoding " + c.typ.String() + ": " + err.Error()) // ruled out by codecFor
		}
		return out
	}
	if c.slice {
		h := (*sliceHeader)(p)
		if h.len == 0 {
			return b
		}
		return append(b, unsafe.Slice((*byte)(h.data), h.len*c.size)...)
	}
	return append(b, unsafe.Slice((*byte)(p), c.size)...)
}

// decode fills *p, a value of c's type, from b.
func (c *codec) decode(b []byte, p unsafe.Pointer, v any) error {
	if c.slice {
		if len(b)%c.size != 0 {
			return fmt.Errorf("proc: %d bytes is not a whole number of %d-byte elements of %v", len(b), c.size, c.typ)
		}
		n := len(b) / c.size
		if !c.raw {
			s := reflect.MakeSlice(c.typ, n, n)
			reflect.ValueOf(v).Elem().Set(s)
			_, err := binary.Decode(b, binary.LittleEndian, v)
			return err
		}
		if n == 0 {
			*(*sliceHeader)(p) = sliceHeader{}
			return nil
		}
		// Words, so that elements up to 8-byte alignment are aligned; the
		// elements hold no pointers, so the memory needs no pointer map.
		words := make([]uint64, (len(b)+7)/8)
		copy(unsafe.Slice((*byte)(unsafe.Pointer(&words[0])), len(b)), b)
		*(*sliceHeader)(p) = sliceHeader{unsafe.Pointer(&words[0]), n, n}
		return nil
	}
	if len(b) != c.size {
		return fmt.Errorf("proc: %d bytes for a %v of %d", len(b), c.typ, c.size)
	}
	if !c.raw {
		_, err := binary.Decode(b, binary.LittleEndian, v)
		return err
	}
	copy(unsafe.Slice((*byte)(p), c.size), b)
	return nil
}

// encodeValue appends v's encoding to b.
func encodeValue[T any](c *codec, b []byte, v *T) []byte {
	var boxed any
	if !c.raw {
		boxed = *v
	}
	return c.append(b, boxed, unsafe.Pointer(v))
}

// decodeValue decodes b into a T.
func decodeValue[T any](c *codec, b []byte) (T, error) {
	var v T
	var boxed any
	if !c.raw {
		boxed = &v
	}
	err := c.decode(b, unsafe.Pointer(&v), boxed)
	return v, err
}

// A Typed is a task registered with RegisterT: a call takes an A and
// returns an R.
//
// Typed calls carry their argument and result in the layout of
// encoding/binary in little-endian byte order: a fixed-size value (a sized
// number, bool, array, or a struct of those, with no padding between
// fields) is its fields in order, and a slice of fixed-size values is its
// elements back to back, with no length prefix (the payload's length gives
// it). int, uint, uintptr, strings, pointers, maps and slices inside structs
// have no fixed size and are refused at registration. Where the value's
// memory already has that layout (a little-endian machine and a type with
// no padding and no bools: any number, and most structs of same-sized
// fields) encoding and decoding are one copy with no reflection; other
// fixed-size types go through encoding/binary. CallT and RegisterT panic,
// naming the type, if A or R has no fixed-size encoding.
type Typed[A, R any] struct {
	name       string
	arg, reply *codec
}

// RegisterT registers fn, a task with a typed argument and result, under
// name (see Register: the parent and the children must register the same
// tasks). It panics if A or R has no fixed-size encoding.
func RegisterT[A, R any](name string, fn func(ctx context.Context, arg A, regions []*shm.Region) (R, error)) Typed[A, R] {
	t := Typed[A, R]{name: name, arg: mustCodec[A]("proc.RegisterT"), reply: mustCodec[R]("proc.RegisterT")}
	Register(name, func(ctx context.Context, b []byte, regions []*shm.Region) ([]byte, error) {
		a, err := decodeValue[A](t.arg, b)
		if err != nil {
			return nil, fmt.Errorf("%s: argument: %w", name, err)
		}
		r, err := fn(ctx, a, regions)
		if err != nil {
			return nil, err
		}
		return encodeValue(t.reply, nil, &r), nil
	})
	return t
}

// Name returns the name the task is registered under.
func (t Typed[A, R]) Name() string { return t.name }

// Call runs the task in a child of p with arg and regions, as Pool.Call
// does, and decodes its result.
func (t Typed[A, R]) Call(ctx context.Context, p *Pool, arg A, regions ...RegionArg) (R, error) {
	b, err := p.Call(ctx, t.name, encodeValue(t.arg, nil, &arg), regions...)
	if err != nil {
		var zero R
		return zero, err
	}
	return decodeValue[R](t.reply, b)
}

// CallT calls the task registered as name with RegisterT[A, R]: the same as
// that registration's Call, for code that has only the name. A and R must be
// the types it was registered with; nothing checks that but the lengths.
func CallT[A, R any](ctx context.Context, p *Pool, name string, arg A, regions ...RegionArg) (R, error) {
	t := Typed[A, R]{name: name, arg: mustCodec[A]("proc.CallT"), reply: mustCodec[R]("proc.CallT")}
	return t.Call(ctx, p, arg, regions...)
}
