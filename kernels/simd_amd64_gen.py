#!/usr/bin/env python3
"""Writes simd_amd64.s, the AVX2 and AVX-512 bodies of Sum, Dot, Axpy, Min and Max.

Run from the kernels folder: python3 simd_amd64_gen.py > simd_amd64.s (go generate
./kernels); TestGeneratedAssembly fails when the committed file differs from
this script's output. Every body of a kernel is written by one function below,
parametrised by the element type and the vector width, so a fix is made once
for all of them. simd_amd64.go documents each body with the Go loop it computes.

The reductions keep 16 (float64) or 32 (float32) partial sums, 128 bytes of x
per iteration: four YMM registers in the AVX2 bodies, two ZMM registers in the
AVX-512 ones, so both compute the same bits as the Go bodies (sumF64Go ...).
"""
import sys

out = []


def w(line=""):
    out.append(line)


class Block:
    """Collects instructions and writes them with their operands aligned."""

    def __init__(self, label=None):
        self.label, self.ins = label, []

    def __call__(self, op, *args):
        self.ins.append((op, ", ".join(args)))

    def emit(self):
        if self.label:
            w()
            w(self.label + ":")
        width = max(len(op) for op, _ in self.ins)
        for op, args in self.ins:
            w(("\t" + op.ljust(width) + " " + args).rstrip() if args else "\t" + op)


class T:
    """An element type: float64 (elt 8, suffix D) or float32 (elt 4, S)."""

    def __init__(self, elt):
        self.elt, self.x = elt, "D" if elt == 8 else "S"
        self.p = "P" + self.x  # packed: PD, PS
        self.s = "S" + self.x  # scalar: SD, SS
        self.go = "float64" if elt == 8 else "float32"

    def at(self, base, off=0):
        return f"{off or ''}({base})(AX*{self.elt})"


F64, F32 = T(8), T(4)


class V:
    """A vector width: Y (AVX2, 32 bytes) or Z (AVX-512, 64 bytes)."""

    def __init__(self, reg):
        self.reg, self.bytes = reg, 32 if reg == "Y" else 64

    def r(self, i):
        return f"{self.reg}{i}"


Y, Z = V("Y"), V("Z")


def prologue(b, t, with_y, a_scalar=False):
    if a_scalar:
        b("MOVQ", "x_base+8(FP)", "SI")
        b("MOVQ", "x_len+16(FP)", "CX")
        b("MOVQ", "y_base+32(FP)", "DI")
    else:
        b("MOVQ", "x_base+0(FP)", "SI")
        b("MOVQ", "x_len+8(FP)", "CX")
        if with_y:
            b("MOVQ", "y_base+24(FP)", "DI")


def main_count(b, n):
    b("XORQ", "AX", "AX")
    b("MOVQ", "CX", "DX")
    b("ANDQ", f"$-{n}", "DX")


def hsum(b, t):
    """Adds the lanes of X0 (the low half of Y0 added to its high half first)."""
    b("VEXTRACTF128", "$1", "Y0", "X1")
    b("VADD" + t.p, "X1", "X0", "X0")
    if t.elt == 8:
        b("VPERMILPD", "$1", "X0", "X1")
        b("VADDSD", "X1", "X0", "X0")
    else:
        b("VMOVHLPS", "X0", "X0", "X1")
        b("VADDPS", "X1", "X0", "X0")
        b("VMOVSHDUP", "X0", "X1")
        b("VADDSS", "X1", "X0", "X0")


def reduction(name, pre, t, v, dot, doc):
    """Sum (dot False) or Dot of x (and y) with 128 bytes per iteration."""
    per = 128 // t.elt  # elements per iteration: the partial sums
    nacc = 128 // v.bytes
    frame, ret = ("$0-56", "ret+48(FP)") if dot else ("$0-32", "ret+24(FP)")
    if t.elt == 4:
        frame = "$0-52" if dot else "$0-28"
    w(doc)
    w(f"TEXT ·{name}(SB), NOSPLIT, {frame}")
    b = Block()
    prologue(b, t, dot)
    for i in range(nacc):
        if v is Y:
            b("VXOR" + t.p, v.r(i), v.r(i), v.r(i))
        else:
            b("VPXORQ", v.r(i), v.r(i), v.r(i))
    main_count(b, per)
    b.emit()

    b = Block(pre + "_loop")
    b("CMPQ", "AX", "DX")
    b("JGE", pre + "_reduce")
    if dot:
        for i in range(nacc):
            b("VMOVU" + t.p, t.at("SI", i * v.bytes), v.r(4 + i))
        for i in range(nacc):
            b("VFMADD231" + t.p, t.at("DI", i * v.bytes), v.r(4 + i), v.r(i))
    else:
        for i in range(nacc):
            b("VADD" + t.p, t.at("SI", i * v.bytes), v.r(i), v.r(i))
    b("ADDQ", f"${per}", "AX")
    b("JMP", pre + "_loop")
    b.emit()

    b = Block(pre + "_reduce")
    if v is Y:
        b("VADD" + t.p, "Y1", "Y0", "Y0")
        b("VADD" + t.p, "Y3", "Y2", "Y2")
        b("VADD" + t.p, "Y2", "Y0", "Y0")
    else:
        # The high halves hold s[4..7] and s[12..15] (float64): adding them
        # to the low halves gives sumF64AVX2's Y0+Y1 and Y2+Y3.
        b("VEXTRACTF64X4", "$1", "Z0", "Y2")
        b("VADD" + t.p, "Y2", "Y0", "Y0")
        b("VEXTRACTF64X4", "$1", "Z1", "Y3")
        b("VADD" + t.p, "Y3", "Y1", "Y1")
        b("VADD" + t.p, "Y1", "Y0", "Y0")
    hsum(b, t)
    b.emit()

    b = Block(pre + "_tail")
    b("CMPQ", "AX", "CX")
    b("JGE", pre + "_done")
    if dot:
        b("VMOV" + t.s, t.at("SI"), "X4")
        b("VFMADD231" + t.s, t.at("DI"), "X4", "X0")
    else:
        b("VADD" + t.s, t.at("SI"), "X0", "X0")
    b("INCQ", "AX")
    b("JMP", pre + "_tail")
    b.emit()

    b = Block(pre + "_done")
    b("VZEROUPPER")
    b("MOV" + t.s, "X0", ret)
    b("RET")
    b.emit()
    w()


def axpy(name, pre, t, v, doc):
    """y[i] = FMA(a, x[i], y[i]), two vectors per iteration."""
    per = 2 * v.bytes // t.elt
    w(doc)
    w(f"TEXT ·{name}(SB), NOSPLIT, $0-56")
    b = Block()
    b("VBROADCAST" + t.s, "a+0(FP)", v.r(0))
    prologue(b, t, True, a_scalar=True)
    main_count(b, per)
    b.emit()

    b = Block(pre + "_loop")
    b("CMPQ", "AX", "DX")
    b("JGE", pre + "_tail")
    for i in range(2):
        b("VMOVU" + t.p, t.at("DI", i * v.bytes), v.r(1 + i))
    for i in range(2):
        b("VFMADD231" + t.p, t.at("SI", i * v.bytes), v.r(0), v.r(1 + i))
    for i in range(2):
        b("VMOVU" + t.p, v.r(1 + i), t.at("DI", i * v.bytes))
    b("ADDQ", f"${per}", "AX")
    b("JMP", pre + "_loop")
    b.emit()

    b = Block(pre + "_tail")
    b("CMPQ", "AX", "CX")
    b("JGE", pre + "_done")
    b("VMOV" + t.s, t.at("DI"), "X1")
    b("VFMADD231" + t.s, t.at("SI"), "X0", "X1")
    b("VMOV" + t.s, "X1", t.at("DI"))
    b("INCQ", "AX")
    b("JMP", pre + "_tail")
    b.emit()

    b = Block(pre + "_done")
    b("VZEROUPPER")
    b("RET")
    b.emit()
    w()


def minmax(name, pre, t, op, doc):
    """The builtin min or max over x (AVX2 only), NaNs tracked apart."""
    per = 128 // t.elt
    vop = "V" + op.upper() + t.p  # VMINPD ...
    # Both operand orders, then OR (min: -0 wins) or AND (max: +0 wins).
    comb = ("VOR" if op == "min" else "VAND") + t.p

    def fold(b, a, m):  # m = builtin op(m, a), NaN aside
        reg = m[0]
        b(vop, a, m, reg + "8")
        b(vop, m, a, reg + "9")
        b(comb, reg + "9", reg + "8", m)

    w(doc)
    w(f"TEXT ·{name}(SB), NOSPLIT, $0-{32 if t.elt == 8 else 28}")
    b = Block()
    prologue(b, t, False)
    b("VBROADCAST" + t.s, "(SI)", "Y0")
    for i in range(1, 4):
        b("VMOVU" + t.p, "Y0", f"Y{i}")
    for i in range(12, 16):
        b("VXORPD", f"Y{i}", f"Y{i}", f"Y{i}")
    main_count(b, per)
    b.emit()

    b = Block(pre + "_loop")
    b("CMPQ", "AX", "DX")
    b("JGE", pre + "_reduce")
    for i in range(4):
        b("VMOVU" + t.p, t.at("SI", 32 * i), f"Y{4 + i}")
    for i in range(4):
        fold(b, f"Y{4 + i}", f"Y{i}")
        b("VCMP" + t.p, "$3", f"Y{4 + i}", f"Y{12 + i}", f"Y{12 + i}")
    b("ADDQ", f"${per}", "AX")
    b("JMP", pre + "_loop")
    b.emit()

    b = Block(pre + "_reduce")
    fold(b, "Y1", "Y0")
    fold(b, "Y3", "Y2")
    fold(b, "Y2", "Y0")
    b("VORPD", "Y13", "Y12", "Y12")
    b("VORPD", "Y15", "Y14", "Y14")
    b("VORPD", "Y14", "Y12", "Y12")
    b("VMOVMSK" + t.p, "Y12", "BX")
    b("VEXTRACTF128", "$1", "Y0", "X1")
    fold(b, "X1", "X0")
    if t.elt == 8:
        b("VPERMILPD", "$1", "X0", "X1")
        fold(b, "X1", "X0")
    else:
        b("VMOVHLPS", "X0", "X0", "X1")
        fold(b, "X1", "X0")
        b("VMOVSHDUP", "X0", "X1")
        fold(b, "X1", "X0")
    b.emit()

    b = Block(pre + "_tail")
    b("CMPQ", "AX", "CX")
    b("JGE", pre + "_done")
    b("VMOV" + t.s, t.at("SI"), "X4")
    b("VUCOMI" + t.s, "X4", "X4")
    b("JPS", pre + "_nan")
    fold(b, "X4", "X0")
    b("INCQ", "AX")
    b("JMP", pre + "_tail")
    b.emit()

    b = Block(pre + "_done")
    b("TESTQ", "BX", "BX")
    b("JNZ", pre + "_nan")
    b("VZEROUPPER")
    b("MOV" + t.s, "X0", "ret+24(FP)")
    b("RET")
    b.emit()

    b = Block(pre + "_nan")
    b("VZEROUPPER")
    if t.elt == 8:
        b("MOVQ", "$0x7ff8000000000000", "AX")
        b("MOVQ", "AX", "ret+24(FP)")
    else:
        b("MOVL", "$0x7fc00000", "AX")
        b("MOVL", "AX", "ret+24(FP)")
    b("RET")
    b.emit()
    w()


def doc(sig, text):
    return f"// func {sig}\n//\n// " + "\n// ".join(text.split("\n"))


w("// Code generated by simd_amd64_gen.py; DO NOT EDIT.")
w()
w("//go:build amd64 && !noasm && !purego")
w()
w('#include "textflag.h"')
w()
w("// Each body computes, bit for bit, the Go loop in the doc comment of its")
w("// stub in simd_amd64.go; len(y) >= len(x) and, for Min and Max, len(x) >= 1.")
w()

for t in (F64, F32):
    tn = "F64" if t.elt == 8 else "F32"
    c = t.x.lower()  # label letter: d, s
    for v, sfx, lab, how in ((Y, ("AVX2", "FMA"), "", "four YMM"), (Z, ("AVX512", "AVX512"), "5", "two ZMM")):
        n = 128 // t.elt
        reduction(f"sum{tn}{sfx[0]}", f"s{c}{lab}", t, v, False,
                  doc(f"sum{tn}{sfx[0]}(x []{t.go}) {t.go}", f"{n} partial sums in {how} registers."))
        reduction(f"dot{tn}{sfx[1]}", f"d{c}{lab}", t, v, True,
                  doc(f"dot{tn}{sfx[1]}(x, y []{t.go}) {t.go}", f"{n} partial sums of FMAs in {how} registers."))
        axpy(f"axpy{tn}{sfx[1]}", f"a{c}{lab}", t, v,
             doc(f"axpy{tn}{sfx[1]}(a {t.go}, x, y []{t.go})", "y[i] = FMA(a, x[i], y[i]), rounded once."))

for t in (F64, F32):
    tn = "F64" if t.elt == 8 else "F32"
    lanes = 32 // t.elt
    for op in ("min", "max"):
        rule = "ORs them (±0 then gives -0" if op == "min" else "ANDs them (±0 then gives +0"
        minmax(f"{op}{tn}AVX2", f"{op}f{t.elt * 8}", t, op, doc(
            f"{op}{tn}AVX2(x []{t.go}) {t.go}",
            f"The builtin {op} over x with {4 * lanes} running values m[j] over x[i+j] (four\n"
            f"registers of {lanes} lanes), combined pairwise. V{op.upper()}{t.p} alone returns its\n"
            f"second operand on a NaN or on ±0, so each step computes both operand orders\n"
            f"and {rule}, as the builtin does), and NaNs are tracked\n"
            f"apart: Y12..Y15 turn all-ones once an unordered compare sees one, and any\n"
            f"NaN makes the result NaN."))

sys.stdout.write("\n".join(out).rstrip("\n") + "\n")
