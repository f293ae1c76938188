/* Dots Desktop bundle: the BLAS/LAPACK functions cv2.abi3.so imports (LP64, 32-bit ints),
 * forwarded to numpy's ILP64 scipy_openblas64_ library, so the bundle needs one OpenBLAS
 * instead of two (installer/cv2_stubs.py builds this as cv2's libopenblas*.so).
 * Integers are widened to 64 bits; pivot arrays are copied back; Fortran string-length
 * arguments are passed as 1. OpenCV only calls these for matrices of ~100+ rows. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
typedef int64_t i64;

static i64 *ibuf(i64 n) {
    i64 *p = malloc(sizeof(i64) * (size_t)(n > 0 ? n : 1));
    if (!p) { fputs("dots-desktop: out of memory in the LAPACK adapter\n", stderr); abort(); }
    return p;
}
static i64 imin(i64 a, i64 b) { return a < b ? a : b; }

#define GEMM(p, T, S) \
void scipy_cblas_##p##gemm64_(int, int, int, i64, i64, i64, S, const T *, i64, const T *, i64, S, T *, i64); \
void cblas_##p##gemm(int o, int ta, int tb, int m, int n, int k, S alpha, const T *a, int lda, \
                     const T *b, int ldb, S beta, T *c, int ldc) { \
    scipy_cblas_##p##gemm64_(o, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc); }
GEMM(s, float, float)
GEMM(d, double, double)
GEMM(c, void, const void *)
GEMM(z, void, const void *)

#define GESV(p, T) \
void scipy_##p##gesv_64_(const i64 *, const i64 *, T *, const i64 *, i64 *, T *, const i64 *, i64 *); \
void p##gesv_(const int *n, const int *nrhs, T *a, const int *lda, int *ipiv, T *b, const int *ldb, int *info) { \
    i64 n_ = *n, nrhs_ = *nrhs, lda_ = *lda, ldb_ = *ldb, info_ = 0, *piv = ibuf(n_); \
    scipy_##p##gesv_64_(&n_, &nrhs_, a, &lda_, piv, b, &ldb_, &info_); \
    for (i64 i = 0; i < n_; i++) ipiv[i] = (int)piv[i]; \
    free(piv); *info = (int)info_; }
GESV(s, float)
GESV(d, double)

#define GETRF(p, T) \
void scipy_##p##getrf_64_(const i64 *, const i64 *, T *, const i64 *, i64 *, i64 *); \
void p##getrf_(const int *m, const int *n, T *a, const int *lda, int *ipiv, int *info) { \
    i64 m_ = *m, n_ = *n, lda_ = *lda, info_ = 0, k = imin(m_, n_), *piv = ibuf(k); \
    scipy_##p##getrf_64_(&m_, &n_, a, &lda_, piv, &info_); \
    for (i64 i = 0; i < k; i++) ipiv[i] = (int)piv[i]; \
    free(piv); *info = (int)info_; }
GETRF(s, float)
GETRF(d, double)

#define POSV(p, T) \
void scipy_##p##posv_64_(const char *, const i64 *, const i64 *, T *, const i64 *, T *, const i64 *, i64 *, size_t); \
void p##posv_(const char *uplo, const int *n, const int *nrhs, T *a, const int *lda, T *b, const int *ldb, int *info) { \
    i64 n_ = *n, nrhs_ = *nrhs, lda_ = *lda, ldb_ = *ldb, info_ = 0; \
    scipy_##p##posv_64_(uplo, &n_, &nrhs_, a, &lda_, b, &ldb_, &info_, 1); \
    *info = (int)info_; }
POSV(s, float)
POSV(d, double)

#define POTRF(p, T) \
void scipy_##p##potrf_64_(const char *, const i64 *, T *, const i64 *, i64 *, size_t); \
void p##potrf_(const char *uplo, const int *n, T *a, const int *lda, int *info) { \
    i64 n_ = *n, lda_ = *lda, info_ = 0; \
    scipy_##p##potrf_64_(uplo, &n_, a, &lda_, &info_, 1); \
    *info = (int)info_; }
POTRF(s, float)
POTRF(d, double)

#define GELS(p, T) \
void scipy_##p##gels_64_(const char *, const i64 *, const i64 *, const i64 *, T *, const i64 *, T *, const i64 *, T *, const i64 *, i64 *, size_t); \
void p##gels_(const char *trans, const int *m, const int *n, const int *nrhs, T *a, const int *lda, T *b, \
              const int *ldb, T *work, const int *lwork, int *info) { \
    i64 m_ = *m, n_ = *n, nrhs_ = *nrhs, lda_ = *lda, ldb_ = *ldb, lwork_ = *lwork, info_ = 0; \
    scipy_##p##gels_64_(trans, &m_, &n_, &nrhs_, a, &lda_, b, &ldb_, work, &lwork_, &info_, 1); \
    *info = (int)info_; }
GELS(s, float)
GELS(d, double)

#define GEQRF(p, T) \
void scipy_##p##geqrf_64_(const i64 *, const i64 *, T *, const i64 *, T *, T *, const i64 *, i64 *); \
void p##geqrf_(const int *m, const int *n, T *a, const int *lda, T *tau, T *work, const int *lwork, int *info) { \
    i64 m_ = *m, n_ = *n, lda_ = *lda, lwork_ = *lwork, info_ = 0; \
    scipy_##p##geqrf_64_(&m_, &n_, a, &lda_, tau, work, &lwork_, &info_); \
    *info = (int)info_; }
GEQRF(s, float)
GEQRF(d, double)

#define GESDD(p, T) \
void scipy_##p##gesdd_64_(const char *, const i64 *, const i64 *, T *, const i64 *, T *, T *, const i64 *, T *, \
                          const i64 *, T *, const i64 *, i64 *, i64 *, size_t); \
void p##gesdd_(const char *jobz, const int *m, const int *n, T *a, const int *lda, T *s, T *u, const int *ldu, \
               T *vt, const int *ldvt, T *work, const int *lwork, int *iwork, int *info) { \
    i64 m_ = *m, n_ = *n, lda_ = *lda, ldu_ = *ldu, ldvt_ = *ldvt, lwork_ = *lwork, info_ = 0; \
    i64 *iw = ibuf(8 * imin(m_, n_)); (void)iwork; \
    scipy_##p##gesdd_64_(jobz, &m_, &n_, a, &lda_, s, u, &ldu_, vt, &ldvt_, work, &lwork_, iw, &info_, 1); \
    free(iw); *info = (int)info_; }
GESDD(s, float)
GESDD(d, double)

void scipy_dgeev_64_(const char *, const char *, const i64 *, double *, const i64 *, double *, double *, double *,
                     const i64 *, double *, const i64 *, double *, const i64 *, i64 *, size_t, size_t);
void dgeev_(const char *jobvl, const char *jobvr, const int *n, double *a, const int *lda, double *wr, double *wi,
            double *vl, const int *ldvl, double *vr, const int *ldvr, double *work, const int *lwork, int *info) {
    i64 n_ = *n, lda_ = *lda, ldvl_ = *ldvl, ldvr_ = *ldvr, lwork_ = *lwork, info_ = 0;
    scipy_dgeev_64_(jobvl, jobvr, &n_, a, &lda_, wr, wi, vl, &ldvl_, vr, &ldvr_, work, &lwork_, &info_, 1, 1);
    *info = (int)info_;
}
