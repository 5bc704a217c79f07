/*
 * clipdown's fused training kernels, compiled to WebAssembly SIMD128 (build.sh) and instantiated
 * on the tfjs wasm backend's OWN linear memory (imported), so every pointer below is a tensor's
 * byte offset in that heap and no data is copied in or out.
 *
 * Because the memory belongs to tfjs, this module must own no memory itself: no static data, no
 * C stack (no arrays or address-taken locals), no libc. build.sh checks the output has no data
 * section and never touches the stack pointer. Scratch space is passed in by the caller.
 *
 * Shapes are row-major; `rows` = product of the leading axes, `d` = the last axis.
 */
#include <wasm_simd128.h>

typedef float f4 __attribute__((vector_size(16)));
typedef int i4 __attribute__((vector_size(16)));

#define EXPORT(name) __attribute__((export_name(#name)))

static inline f4 splat(float x) { return (f4){x, x, x, x}; }
static inline f4 ld(const float* p) { return (f4)wasm_v128_load(p); }
static inline void st(float* p, f4 v) { wasm_v128_store(p, (v128_t)v); }
static inline f4 vmin(f4 a, f4 b) { return (f4)wasm_f32x4_pmin((v128_t)a, (v128_t)b); }
static inline f4 vmax(f4 a, f4 b) { return (f4)wasm_f32x4_pmax((v128_t)a, (v128_t)b); }
static inline f4 vsqrt(f4 a) { return (f4)wasm_f32x4_sqrt((v128_t)a); }
static inline float hsum(f4 v) { return (v[0] + v[1]) + (v[2] + v[3]); }

/* exp(x) for float lanes: x = n·ln2 + r, |r| <= ln2/2, degree-6 polynomial (Cephes expf, ~1 ulp).
 * n is rounded with the 1.5·2^23 trick (its integer sits in the float's low mantissa bits), which is
 * cheaper under V8 than floor + float→int conversion. Below -87.3 the result is exactly 0 (as a
 * -1e9 additive mask needs), above 88.7 it saturates. */
static inline f4 exp4(f4 x) {
  const f4 magic = splat(12582912.f);
  f4 xc = vmin(vmax(x, splat(-87.3f)), splat(88.7f));
  f4 t = xc * splat(1.44269504088896341f) + magic;
  f4 n = t - magic;
  f4 r = xc - n * splat(0.693359375f);
  r = r - n * splat(-2.12194440e-4f);
  f4 p = splat(1.9875691500E-4f);
  p = p * r + splat(1.3981999507E-3f);
  p = p * r + splat(8.3334519073E-3f);
  p = p * r + splat(4.1665795894E-2f);
  p = p * r + splat(1.6666665459E-1f);
  p = p * r + splat(5.0000001201E-1f);
  p = p * r * r + r + splat(1.0f);
  i4 e = ((i4)t - (i4)magic + 127) << 23;
  f4 y = p * (f4)e;
  i4 under = (i4)(x < splat(-87.3f));
  return (f4)((i4)y & ~under);
}

static inline float exp1(float x) { return exp4(splat(x))[0]; }

/* ---------------------------------------------------------------- bias add / column sums */

/* y[r, :] = x[r, :] + b for r < rows. */
EXPORT(bias_add) void bias_add(const float* x, const float* b, float* y, int rows, int d) {
  for (int r = 0; r < rows; r++, x += d, y += d) {
    int j = 0;
    for (; j + 4 <= d; j += 4) st(y + j, ld(x + j) + ld(b + j));
    for (; j < d; j++) y[j] = x[j] + b[j];
  }
}

/* out[j] = sum_r x[r, j] (the bias gradient), without the transpose tfjs's Sum needs. */
EXPORT(col_sum) void col_sum(const float* x, float* out, int rows, int d) {
  for (int j = 0; j < d; j++) out[j] = 0.f;
  for (int r = 0; r < rows; r++, x += d) {
    int j = 0;
    for (; j + 4 <= d; j += 4) st(out + j, ld(out + j) + ld(x + j));
    for (; j < d; j++) out[j] += x[j];
  }
}

/* ---------------------------------------------------------------- LayerNorm */

/* y = (x - mean) * rstd * g + b per row; saves mean and rstd = 1/sqrt(var + eps) (biased var). */
EXPORT(layernorm_fwd)
void layernorm_fwd(const float* x, const float* g, const float* b, float* y, float* mean, float* rstd,
                   int rows, int d, float eps) {
  for (int r = 0; r < rows; r++, x += d, y += d) {
    f4 s = splat(0.f);
    int j = 0;
    for (; j + 4 <= d; j += 4) s += ld(x + j);
    float sum = hsum(s);
    for (; j < d; j++) sum += x[j];
    float mu = sum / (float)d;
    f4 q = splat(0.f);
    f4 m4 = splat(mu);
    for (j = 0; j + 4 <= d; j += 4) {
      f4 c = ld(x + j) - m4;
      q += c * c;
    }
    float var = hsum(q);
    for (; j < d; j++) var += (x[j] - mu) * (x[j] - mu);
    float rs = 1.f / __builtin_sqrtf(var / (float)d + eps);
    f4 r4 = splat(rs);
    for (j = 0; j + 4 <= d; j += 4) st(y + j, (ld(x + j) - m4) * r4 * ld(g + j) + ld(b + j));
    for (; j < d; j++) y[j] = (x[j] - mu) * rs * g[j] + b[j];
    mean[r] = mu;
    rstd[r] = rs;
  }
}

/*
 * LayerNorm backward. With xh = (x - mean)·rstd and gy = dy·g:
 *   dx = rstd · (gy - mean(gy) - xh · mean(gy·xh)),  dg = Σ_rows dy·xh,  db = Σ_rows dy.
 * dg and db are overwritten (not accumulated).
 */
EXPORT(layernorm_bwd)
void layernorm_bwd(const float* dy, const float* x, const float* g, const float* mean, const float* rstd,
                   float* dx, float* dg, float* db, int rows, int d) {
  for (int j = 0; j < d; j++) dg[j] = db[j] = 0.f;
  float inv_d = 1.f / (float)d;
  for (int r = 0; r < rows; r++, dy += d, x += d, dx += d) {
    f4 m4 = splat(mean[r]), r4 = splat(rstd[r]);
    f4 s1 = splat(0.f), s2 = splat(0.f);
    int j = 0;
    for (; j + 4 <= d; j += 4) {
      f4 xh = (ld(x + j) - m4) * r4;
      f4 dyj = ld(dy + j);
      f4 gy = dyj * ld(g + j);
      s1 += gy;
      s2 += gy * xh;
      st(dg + j, ld(dg + j) + dyj * xh);
      st(db + j, ld(db + j) + dyj);
    }
    float a = hsum(s1), c = hsum(s2);
    for (; j < d; j++) {
      float xh = (x[j] - mean[r]) * rstd[r];
      float gy = dy[j] * g[j];
      a += gy;
      c += gy * xh;
      dg[j] += dy[j] * xh;
      db[j] += dy[j];
    }
    a *= inv_d;
    c *= inv_d;
    f4 a4 = splat(a), c4 = splat(c);
    for (j = 0; j + 4 <= d; j += 4) {
      f4 xh = (ld(x + j) - m4) * r4;
      st(dx + j, r4 * (ld(dy + j) * ld(g + j) - a4 - xh * c4));
    }
    for (; j < d; j++) {
      float xh = (x[j] - mean[r]) * rstd[r];
      dx[j] = rstd[r] * (dy[j] * g[j] - a - xh * c);
    }
  }
}

/* ---------------------------------------------------------------- GELU (tanh form) */

/*
 * gelu(x) = 0.5·x·(1 + tanh(u)), u = √(2/π)·(x + 0.044715·x³). Since 1 + tanh(u) = 2·σ(2u), this is
 * x·σ(2u) = x / (1 + exp(-2u)): one exp, no cancellation near 0.
 */
#define GELU_C 0.7978845608028654f
#define GELU_A 0.044715f

static inline f4 sigmoid2u(f4 x) {
  f4 u = splat(GELU_C) * (x + splat(GELU_A) * x * x * x);
  return splat(1.f) / (splat(1.f) + exp4(splat(-2.f) * u));
}

EXPORT(gelu_fwd) void gelu_fwd(const float* x, float* y, int n) {
  int i = 0;
  /* 4 vectors per iteration: V8 rematerialises each v128 constant where it is used, so the ~15
   * constants of exp4 cost as much as the maths unless several vectors share them. */
  for (; i + 16 <= n; i += 16) {
    f4 v0 = ld(x + i), v1 = ld(x + i + 4), v2 = ld(x + i + 8), v3 = ld(x + i + 12);
    st(y + i, v0 * sigmoid2u(v0));
    st(y + i + 4, v1 * sigmoid2u(v1));
    st(y + i + 8, v2 * sigmoid2u(v2));
    st(y + i + 12, v3 * sigmoid2u(v3));
  }
  for (; i + 4 <= n; i += 4) {
    f4 v = ld(x + i);
    st(y + i, v * sigmoid2u(v));
  }
  for (; i < n; i++) y[i] = x[i] * sigmoid2u(splat(x[i]))[0];
}

/* d gelu/dx = s + x·s·(1-s)·2u', s = σ(2u), u' = √(2/π)(1 + 3·0.044715·x²). */
static inline f4 gelu_grad4(f4 x) {
  f4 s = sigmoid2u(x);
  f4 du = splat(GELU_C) * (splat(1.f) + splat(3.f * GELU_A) * x * x);
  return s + x * s * (splat(1.f) - s) * splat(2.f) * du;
}

EXPORT(gelu_bwd) void gelu_bwd(const float* x, const float* dy, float* dx, int n) {
  int i = 0;
  for (; i + 8 <= n; i += 8) {
    st(dx + i, ld(dy + i) * gelu_grad4(ld(x + i)));
    st(dx + i + 4, ld(dy + i + 4) * gelu_grad4(ld(x + i + 4)));
  }
  for (; i + 4 <= n; i += 4) st(dx + i, ld(dy + i) * gelu_grad4(ld(x + i)));
  for (; i < n; i++) dx[i] = dy[i] * gelu_grad4(splat(x[i]))[0];
}

/* ---------------------------------------------------------------- attention */

/*
 * Multi-head self-attention core on the fused qkv projection, qkv [B, N, 3W] laid out as
 * [q | k | v] with head h in columns h·D..h·D+D-1 of each block (W = H·D):
 *   S = scale·q·kᵀ + mask, P = softmax_rows(S), out[:, :, hD:(h+1)D] = P·v.
 * Saves P [B, H, N, N] for the backward. `mask` is an additive [N, N] matrix or 0 (none).
 * D must be a multiple of 4.
 */
EXPORT(attn_fwd)
void attn_fwd(const float* qkv, const float* mask, float* out, float* probs, int B, int N, int H, int D,
              float scale) {
  int W = H * D, W3 = 3 * W;
  for (int b = 0; b < B; b++) {
    const float* base = qkv + (long)b * N * W3;
    for (int h = 0; h < H; h++) {
      const float* q = base + h * D;
      const float* k = base + W + h * D;
      const float* v = base + 2 * W + h * D;
      float* P = probs + ((long)b * H + h) * N * N;
      float* o = out + (long)b * N * W + h * D;
      for (int i = 0; i < N; i++) {
        const float* qi = q + i * W3;
        float* Pi = P + i * N;
        float mx = -3.4e38f;
        for (int j = 0; j < N; j++) {
          const float* kj = k + j * W3;
          f4 s = splat(0.f);
          for (int t = 0; t < D; t += 4) s += ld(qi + t) * ld(kj + t);
          float sv = hsum(s) * scale + (mask ? mask[i * N + j] : 0.f);
          Pi[j] = sv;
          mx = sv > mx ? sv : mx;
        }
        float tot = 0.f;
        int j = 0;
        for (; j + 4 <= N; j += 4) {
          f4 e = exp4(ld(Pi + j) - splat(mx));
          st(Pi + j, e);
          tot += hsum(e);
        }
        for (; j < N; j++) {
          Pi[j] = exp1(Pi[j] - mx);
          tot += Pi[j];
        }
        float inv = 1.f / tot;
        for (j = 0; j < N; j++) Pi[j] *= inv;
        float* oi = o + i * W;
        for (int t = 0; t < D; t += 4) {
          f4 acc = splat(0.f);
          for (j = 0; j < N; j++) acc += splat(Pi[j]) * ld(v + j * W3 + t);
          st(oi + t, acc);
        }
      }
    }
  }
}

/*
 * Backward of attn_fwd given dout [B, N, W]; writes dqkv [B, N, 3W] (every element). `scratch`
 * holds N floats (one row of dP). Per head, with dO = dout's head columns:
 *   dV = Pᵀ·dO,  dP = dO·vᵀ,  dS = P ∘ (dP − rowsum(P ∘ dP)),  dq = scale·dS·k,  dk = scale·dSᵀ·q.
 */
EXPORT(attn_bwd)
void attn_bwd(const float* qkv, const float* probs, const float* dout, float* dqkv, float* scratch, int B,
              int N, int H, int D, float scale) {
  int W = H * D, W3 = 3 * W;
  long total = (long)B * N * W3;
  for (long i = 0; i < total; i += 4) st(dqkv + i, splat(0.f));
  for (int b = 0; b < B; b++) {
    const float* base = qkv + (long)b * N * W3;
    float* dbase = dqkv + (long)b * N * W3;
    for (int h = 0; h < H; h++) {
      const float* q = base + h * D;
      const float* k = base + W + h * D;
      const float* v = base + 2 * W + h * D;
      float* dq = dbase + h * D;
      float* dk = dbase + W + h * D;
      float* dv = dbase + 2 * W + h * D;
      const float* P = probs + ((long)b * H + h) * N * N;
      const float* dO = dout + (long)b * N * W + h * D;
      for (int i = 0; i < N; i++) {
        const float* Pi = P + i * N;
        const float* dOi = dO + i * W;
        /* dV[j] += P[i][j]·dO[i]; dP[i][j] = dO[i]·v[j] */
        float rs = 0.f;
        for (int j = 0; j < N; j++) {
          const float* vj = v + j * W3;
          float* dvj = dv + j * W3;
          f4 pij = splat(Pi[j]);
          f4 s = splat(0.f);
          for (int t = 0; t < D; t += 4) {
            f4 g = ld(dOi + t);
            st(dvj + t, ld(dvj + t) + pij * g);
            s += g * ld(vj + t);
          }
          float dp = hsum(s);
          scratch[j] = dp;
          rs += Pi[j] * dp;
        }
        /* dS[i][j] = P[i][j]·(dP[i][j] − rs); dq[i] += scale·dS·k[j]; dk[j] += scale·dS·q[i] */
        const float* qi = q + i * W3;
        float* dqi = dq + i * W3;
        for (int t = 0; t < D; t += 4) {
          f4 acc = splat(0.f);
          for (int j = 0; j < N; j++) {
            float ds = Pi[j] * (scratch[j] - rs) * scale;
            acc += splat(ds) * ld(k + j * W3 + t);
          }
          st(dqi + t, acc);
        }
        for (int j = 0; j < N; j++) {
          f4 ds = splat(Pi[j] * (scratch[j] - rs) * scale);
          float* dkj = dk + j * W3;
          for (int t = 0; t < D; t += 4) st(dkj + t, ld(dkj + t) + ds * ld(qi + t));
        }
      }
    }
  }
}

/* ---------------------------------------------------------------- matrix multiply */

/*
 * C[M,N] = op(A)·op(B) (+ bias[N]) with op = identity or transpose (row-major storage: A is [M,K],
 * or [K,M] when transA; B is [K,N], or [N,K] when transB). One routine for every form, so the
 * matmul gradient needs no explicit transposes.
 *
 * B is packed per K-block into 8-column panels Bp[panel][k][8] (zero-padded), A rows are read in
 * place (or gathered into `pack_a`, MR rows at a time, when transA or at the bottom edge); the
 * MR×8 micro-kernel broadcasts one A value per row and k.
 * Scratch (caller-provided): pack_b ≥ KC·ceil8(N) floats, pack_a ≥ MR·KC floats, tail ≥ MR·8 floats.
 */
#define KC 256

/*
 * Micro-kernel height MR = 4 rows × 8 columns (8 accumulators, 4 KiB of A and B per k-step). A 6×8
 * tile was measured slower through clang + V8 (22 vs 40 GFLOP/s with FMA): 12 accumulators leave V8
 * too few vector registers.
 */
#define MR 4
#define ROWS(X) X(0) X(1) X(2) X(3)

/* acc(MR×8) (+)= a[0..MR)[0..kc) · bp[kc][8]; rows of a are `lda` apart. Writes to c (ldc). */
EXPORT(micro) __attribute__((noinline)) void micro(const float* a, int lda, const float* bp, int kc, float* c,
                                                   int ldc, int accumulate, const float* bias) {
#define DECL(r)                    \
  const float* a##r = a + r * lda; \
  f4 c##r##0 = splat(0.f), c##r##1 = splat(0.f);
  ROWS(DECL)
  /* Broadcast loads (v128.load32_splat) beat loading 4 k at once and shuffling lanes under V8. */
  for (int k = 0; k < kc; k++) {
    f4 b0 = ld(bp), b1 = ld(bp + 4);
    bp += 8;
#define MAC(r)                                          \
  {                                                     \
    f4 s = (f4)wasm_v128_load32_splat(a##r + k);        \
    c##r##0 = s * b0 + c##r##0;                         \
    c##r##1 = s * b1 + c##r##1;                         \
  }
    ROWS(MAC)
  }
  if (accumulate) {
#define ACC(r)                 \
  c##r##0 += ld(c + r * ldc); \
  c##r##1 += ld(c + r * ldc + 4);
    ROWS(ACC)
  } else if (bias) {
    f4 b0 = ld(bias), b1 = ld(bias + 4);
#define BIAS(r)  \
  c##r##0 += b0; \
  c##r##1 += b1;
    ROWS(BIAS)
  }
#define STORE(r)              \
  st(c + r * ldc, c##r##0); \
  st(c + r * ldc + 4, c##r##1);
  ROWS(STORE)
}

/* Packs op(B)[k0..k0+kc, 0..N) into 8-column panels, zero-padding the last panel. */
static void pack_b_block(const float* B, int ldb, int N, int transB, int k0, int kc, float* bp) {
  int np = (N + 7) / 8;
  for (int p = 0; p < np; p++) {
    int j0 = p * 8, w = N - j0 < 8 ? N - j0 : 8;
    float* dst = bp + (long)p * kc * 8;
    if (transB) {
      /* op(B)[k][j] = B[j][k]: walk each stored row once (contiguous reads). */
      for (int j = 0; j < 8; j++) {
        const float* src = B + (long)(j0 + j) * ldb + k0;
        if (j < w)
          for (int k = 0; k < kc; k++) dst[k * 8 + j] = src[k];
        else
          for (int k = 0; k < kc; k++) dst[k * 8 + j] = 0.f;
      }
      continue;
    }
    for (int k = 0; k < kc; k++, dst += 8) {
      const float* src = B + (long)(k0 + k) * ldb + j0;
      if (w == 8) {
        st(dst, ld(src));
        st(dst + 4, ld(src + 4));
      } else {
        for (int j = 0; j < 8; j++) dst[j] = j < w ? src[j] : 0.f;
      }
    }
  }
}

/*
 * Rows [0, M) of C (leading dimension ldc) = op(A)·op(B) (+ bias). lda/ldb are the stored row
 * lengths of A and B, so a caller can hand one thread a block of rows: A + i0·lda (or A + i0 when
 * transA), C + i0·ldc.
 */
EXPORT(gemm)
void gemm(const float* A, int lda, const float* B, int ldb, float* C, int ldc, const float* bias, int M,
          int N, int K, int transA, int transB, float* pack_b, float* pack_a, float* tail) {
  int np = (N + 7) / 8;
  for (int k0 = 0; k0 < K || k0 == 0; k0 += KC) {
    int kc = K - k0 < KC ? K - k0 : KC;
    if (kc < 0) kc = 0;
    int acc = k0 > 0;
    pack_b_block(B, ldb, N, transB, k0, kc, pack_b);
    for (int i = 0; i < M; i += MR) {
      int rows = M - i < MR ? M - i : MR;
      const float* a;
      int la;
      if (transA) {
        /* op(A)[i+r][k] = A[k][i+r]: read MR adjacent columns per stored row. */
        for (int k = 0; k < kc; k++) {
          const float* src = A + (long)(k0 + k) * lda + i;
          for (int r = 0; r < MR; r++) pack_a[r * kc + k] = src[r < rows ? r : rows - 1];
        }
        a = pack_a;
        la = kc;
      } else if (rows < MR) {
        for (int r = 0; r < MR; r++) {
          const float* src = A + (long)(i + (r < rows ? r : rows - 1)) * lda + k0;
          for (int k = 0; k < kc; k++) pack_a[r * kc + k] = src[k];
        }
        a = pack_a;
        la = kc;
      } else {
        a = A + (long)i * lda + k0;
        la = lda;
      }
      for (int p = 0; p < np; p++) {
        int j0 = p * 8;
        const float* bp = pack_b + (long)p * kc * 8;
        if (rows == MR && j0 + 8 <= N) {
          micro(a, la, bp, kc, C + (long)i * ldc + j0, ldc, acc, bias ? bias + j0 : 0);
          continue;
        }
        /* Edge tile: compute into `tail` [MR][8], then copy the valid part. */
        int w = N - j0 < 8 ? N - j0 : 8;
        if (acc) {
          for (int r = 0; r < rows; r++)
            for (int j = 0; j < w; j++) tail[r * 8 + j] = C[(long)(i + r) * ldc + j0 + j];
        }
        micro(a, la, bp, kc, tail, 8, acc, 0);
        for (int r = 0; r < rows; r++)
          for (int j = 0; j < w; j++)
            C[(long)(i + r) * ldc + j0 + j] = tail[r * 8 + j] + (!acc && bias ? bias[j0 + j] : 0.f);
      }
    }
    if (K == 0) break;
  }
}

/* ---------------------------------------------------------------- optimiser */

/* y = s·x over n floats (gradient clipping). */
EXPORT(scale) void scale(const float* x, float* y, int n, float s) {
  f4 s4 = splat(s);
  int i = 0;
  for (; i + 4 <= n; i += 4) st(y + i, ld(x + i) * s4);
  for (; i < n; i++) y[i] = x[i] * s;
}

/* Σ x² over n floats (for the global gradient norm). */
EXPORT(sum_squares) float sum_squares(const float* x, int n) {
  f4 s = splat(0.f);
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    f4 v = ld(x + i);
    s += v * v;
  }
  float t = hsum(s);
  for (; i < n; i++) t += x[i] * x[i];
  return t;
}

/*
 * AdamW for one parameter, matching src/train/optimizer.ts: with g = gscale·grad,
 *   m' = β1·m + (1-β1)·g,  v' = β2·v + (1-β2)·g²,
 *   p' = p·(1 - lr·wd) - lr·(m'/bc1) / (sqrt(v'/bc2) + eps).
 * Reads p, g, m, v and writes p', m', v' to separate outputs (tfjs tensors are immutable).
 */
EXPORT(adamw)
void adamw(const float* p, const float* g, const float* m, const float* v, float* po, float* mo, float* vo,
           int n, float gscale, float lr, float wd, float beta1, float beta2, float eps, float bc1,
           float bc2) {
  f4 gs = splat(gscale), b1 = splat(beta1), b2 = splat(beta2), c1 = splat(1.f - beta1),
     c2 = splat(1.f - beta2), ib1 = splat(1.f / bc1), ib2 = splat(1.f / bc2), e = splat(eps),
     lr4 = splat(lr), keep = splat(1.f - lr * wd);
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    f4 gi = ld(g + i) * gs;
    f4 mi = b1 * ld(m + i) + c1 * gi;
    f4 vi = b2 * ld(v + i) + c2 * gi * gi;
    f4 upd = (mi * ib1) / (vsqrt(vi * ib2) + e);
    st(po + i, ld(p + i) * keep - lr4 * upd);
    st(mo + i, mi);
    st(vo + i, vi);
  }
  for (; i < n; i++) {
    float gi = g[i] * gscale;
    float mi = beta1 * m[i] + (1.f - beta1) * gi;
    float vi = beta2 * v[i] + (1.f - beta2) * gi * gi;
    float upd = (mi / bc1) / (__builtin_sqrtf(vi / bc2) + eps);
    po[i] = p[i] * (1.f - lr * wd) - lr * upd;
    mo[i] = mi;
    vo[i] = vi;
  }
}
