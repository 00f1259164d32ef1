/* gemm_peak.c: the machine's single-thread OpenBLAS sgemm and dgemm rates, the yardstick of bench/bench_power.sh.
 * Times C = A B for square N x N matrices (row-major, no transposes) REPS times after one warm-up call and prints
 * "dgemm GFLOP/s" and "sgemm GFLOP/s" (2 N^3 flops per call over the CPU time of the calls).
 * usage: gemm_peak [N] [REPS]   (default 1024 and 10; run with OPENBLAS_NUM_THREADS=1) */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double cpu_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int main(int argc, char **argv) {
    const int n = argc > 1 ? atoi(argv[1]) : 1024, reps = argc > 2 ? atoi(argv[2]) : 10;
    if (n < 1 || reps < 1) return fprintf(stderr, "usage: gemm_peak [N] [REPS]\n"), 2;
    const size_t nn = (size_t)n * (size_t)n;
    double *A = malloc(nn * sizeof(double)), *B = malloc(nn * sizeof(double)), *C = malloc(nn * sizeof(double));
    float *As = malloc(nn * sizeof(float)), *Bs = malloc(nn * sizeof(float)), *Cs = malloc(nn * sizeof(float));
    if (!A || !B || !C || !As || !Bs || !Cs) return fprintf(stderr, "out of memory\n"), 1;
    for (size_t k = 0; k < nn; k++) A[k] = As[k] = (float)((k % 7) - 3) / 7, B[k] = Bs[k] = (float)((k % 5) - 2) / 5;
    const double flops = 2.0 * (double)n * (double)n * (double)n * reps;
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1, A, n, B, n, 0, C, n);
    double t0 = cpu_s();
    for (int r = 0; r < reps; r++) cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1, A, n, B, n, 0, C, n);
    printf("dgemm %.1f GFLOP/s (N=%d)\n", flops / (cpu_s() - t0) * 1e-9, n);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1, As, n, Bs, n, 0, Cs, n);
    t0 = cpu_s();
    for (int r = 0; r < reps; r++) cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1, As, n, Bs, n, 0, Cs, n);
    printf("sgemm %.1f GFLOP/s (N=%d)\n", flops / (cpu_s() - t0) * 1e-9, n);
    free(A), free(B), free(C), free(As), free(Bs), free(Cs);
    return 0;
}
