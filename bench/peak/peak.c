/*
 * peak.c: the multiply-accumulate peak of one core of this machine for the
 * three instructions that aezip's kernels (or a future one) are built on,
 * so that kernel rates can be quoted as a share of a measured peak:
 *
 *   VFMADD231PS zmm  float32 FMA            16 MACs per instruction
 *   VPDPWSSD    zmm  int16 pairs into int32 (AVX-512 VNNI), 32 MACs
 *   VDPBF16PS   zmm  bfloat16 pairs into float32 (AVX-512 BF16), 32 MACs
 *
 * Each loop runs 12 independent accumulators, more than latency times
 * throughput, so it measures issue throughput. Single-threaded; register
 * operands only (an L1-resident kernel can get close, never above).
 *
 * Build and run (x86-64 with AVX-512; gcc's assembler knows the mnemonics):
 *   bench/peak/run.sh
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

static double now(void) {
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec * 1e-9;
}

#define X12(op) \
	op " %%zmm30,%%zmm31,%%zmm0\n" op " %%zmm30,%%zmm31,%%zmm1\n" op " %%zmm30,%%zmm31,%%zmm2\n" \
	op " %%zmm30,%%zmm31,%%zmm3\n" op " %%zmm30,%%zmm31,%%zmm4\n" op " %%zmm30,%%zmm31,%%zmm5\n" \
	op " %%zmm30,%%zmm31,%%zmm6\n" op " %%zmm30,%%zmm31,%%zmm7\n" op " %%zmm30,%%zmm31,%%zmm8\n" \
	op " %%zmm30,%%zmm31,%%zmm9\n" op " %%zmm30,%%zmm31,%%zmm10\n" op " %%zmm30,%%zmm31,%%zmm11\n"

#define CLOBBER "rcx", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", \
	"xmm9", "xmm10", "xmm11"

static void fma_loop(long n) {
	__asm__ volatile("mov %0, %%rcx\n1:\n" X12("vfmadd231ps") "dec %%rcx\njnz 1b\n" ::"r"(n) : CLOBBER);
}
static void vnni_loop(long n) {
	__asm__ volatile("mov %0, %%rcx\n1:\n" X12("vpdpwssd") "dec %%rcx\njnz 1b\n" ::"r"(n) : CLOBBER);
}
static void bf16_loop(long n) {
	__asm__ volatile("mov %0, %%rcx\n1:\n" X12("vdpbf16ps") "dec %%rcx\njnz 1b\n" ::"r"(n) : CLOBBER);
}

int main(void) {
	const long n = 50000000; /* iterations of 12 instructions */
	struct {
		const char *name;
		void (*loop)(long);
		int macs;
	} k[] = {{"VFMADD231PS zmm (float32)", fma_loop, 16},
	         {"VPDPWSSD zmm (int16, VNNI)", vnni_loop, 32},
	         {"VDPBF16PS zmm (bfloat16)", bf16_loop, 32}};
	for (int i = 0; i < 3; i++) {
		double best = 0;
		for (int r = 0; r < 5; r++) {
			double t0 = now();
			k[i].loop(n);
			double g = 12.0 * n * k[i].macs / (now() - t0) / 1e9;
			if (g > best)
				best = g;
		}
		printf("%-28s %6.1f GMAC/s per core (%.1f GFLOPS), best of 5\n", k[i].name, best, 2 * best);
	}
	return 0;
}
