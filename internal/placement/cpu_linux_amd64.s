#include "textflag.h"

// func lsl() (v uint32, ok bool)
//
// LSL of the per-CPU segment that Linux keeps in each CPU's GDT for the
// vDSO's getcpu (__CPUNODE_SEG): its limit is node<<12 | cpu. LSL runs in
// user mode and clears ZF if the selector is not valid.
TEXT ·lsl(SB), NOSPLIT, $0-5
	MOVL $0x7b, AX
	BYTE $0x0f; BYTE $0x03; BYTE $0xc0 // LSL AX, AX
	JNZ  bad
	MOVL AX, v+0(FP)
	MOVB $1, ok+4(FP)
	RET
bad:
	MOVL $0, v+0(FP)
	MOVB $0, ok+4(FP)
	RET
