#include "textflag.h"

// func blockAVX2(hay []byte, i int, t *anchorTab) (int, uint32)
TEXT ·blockAVX2(SB), NOSPLIT, $0-52
	MOVQ hay_base+0(FP), SI
	MOVQ hay_len+8(FP), DX
	MOVQ i+24(FP), AX
	MOVQ t+32(FP), DI
	MOVQ 0(DI), CX
	SUBQ $35, DX // a block at AX reads up to AX+34

loop:
	CMPQ AX, DX
	JG   none
	VMOVDQU (SI)(AX*1), Y0
	VMOVDQU 1(SI)(AX*1), Y1
	VMOVDQU 2(SI)(AX*1), Y2
	VMOVDQU 3(SI)(AX*1), Y6
	VPXOR   Y3, Y3, Y3
	LEAQ    32(DI), BX
	MOVQ    CX, R8

anchor:
	VPCMPEQB 0(BX), Y0, Y4
	VPCMPEQB 32(BX), Y1, Y5
	VPAND    Y5, Y4, Y4
	VPCMPEQB 64(BX), Y2, Y5
	VPAND    Y5, Y4, Y4
	VPCMPEQB 96(BX), Y6, Y5
	VPAND    Y5, Y4, Y4
	VPOR     Y4, Y3, Y3
	ADDQ     $128, BX
	DECQ     R8
	JNZ      anchor

	VPMOVMSKB Y3, R9
	TESTL     R9, R9
	JNZ       found
	ADDQ      $32, AX
	JMP       loop

found:
	VZEROUPPER
	MOVQ AX, ret+40(FP)
	MOVL R9, ret1+48(FP)
	RET

none:
	VZEROUPPER
	MOVQ AX, ret+40(FP)
	MOVL $0, ret1+48(FP)
	RET
