;; A float32 matMul in WebAssembly SIMD for tfjs-backend-wasm's heap: the module imports the
;; backend's memory, and every pointer below is a byte offset into it (gemm.ts drives it).
;; - `pack` copies rows [k0, k0 + kc) of the right operand w [K, N] into panels of 8 columns, each
;;   panel kc rows of 8 values, one after the other (zeros past column N), so the kernel streams
;;   one panel straight through, in cache, instead of striding across w's rows.
;; - `gemm`: out = a × the panels (or out += it): 4 rows × 8 columns at a time in 8 registers, each
;;   value of a splatted and multiplied into both halves of the panel's row: it runs the LSTM's
;;   matMuls faster than XNNPACK on one thread (tests/bench/RESULTS.md, "WASM: a matMul of our
;;   own"). No function calls anywhere in it: V8 spills every SIMD register across a call.
;; Compiled by `npm run wasm` (scripts/build-wasm.mjs) into generated/gemm.generated.ts.
(module
  (import "env" "memory" (memory 0))

  ;; Panels of 8 columns of rows [k0, k0 + kc) of w [K, N] (rows N floats apart), for gemm:
  ;; wp[p][k][j] = w[k0 + k][8p + j], 0 past column N. `trans`: w is given as [N, K] (wᵀ).
  (func (export "pack") (param $w i32) (param $K i32) (param $N i32) (param $k0 i32) (param $kc i32)
    (param $trans i32) (param $wp i32)
    (local $n i32) (local $k i32) (local $j i32) (local $src i32) (local $nb i32) (local $kb i32)
    (local.set $nb (i32.shl (local.get $N) (i32.const 2)))
    (local.set $kb (i32.shl (local.get $K) (i32.const 2)))
    (loop $panels
      (if (i32.and (i32.eqz (local.get $trans)) (i32.le_s (i32.add (local.get $n) (i32.const 8)) (local.get $N)))
        (then ;; a whole panel, straight: two vectors a row
          (local.set $src (i32.add (local.get $w) (i32.add (i32.mul (local.get $k0) (local.get $nb)) (i32.shl (local.get $n) (i32.const 2)))))
          (local.set $k (i32.const 0))
          (loop $rows
            (v128.store (local.get $wp) (v128.load (local.get $src)))
            (v128.store offset=16 (local.get $wp) (v128.load offset=16 (local.get $src)))
            (local.set $wp (i32.add (local.get $wp) (i32.const 32)))
            (local.set $src (i32.add (local.get $src) (local.get $nb)))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br_if $rows (i32.lt_s (local.get $k) (local.get $kc)))))
        (else ;; value by value: transposed, or the last, partial panel
          (local.set $k (i32.const 0))
          (loop $rows
            (local.set $j (i32.const 0))
            (loop $cols
              (f32.store (local.get $wp)
                (if (result f32) (i32.lt_s (i32.add (local.get $n) (local.get $j)) (local.get $N))
                  (then (f32.load (select
                    (i32.add (local.get $w) (i32.add (i32.mul (i32.add (local.get $n) (local.get $j)) (local.get $kb)) (i32.shl (i32.add (local.get $k0) (local.get $k)) (i32.const 2))))
                    (i32.add (local.get $w) (i32.add (i32.mul (i32.add (local.get $k0) (local.get $k)) (local.get $nb)) (i32.shl (i32.add (local.get $n) (local.get $j)) (i32.const 2))))
                    (local.get $trans))))
                  (else (f32.const 0))))
              (local.set $wp (i32.add (local.get $wp) (i32.const 4)))
              (local.set $j (i32.add (local.get $j) (i32.const 1)))
              (br_if $cols (i32.lt_s (local.get $j) (i32.const 8))))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br_if $rows (i32.lt_s (local.get $k) (local.get $kc))))))
      (local.set $n (i32.add (local.get $n) (i32.const 8)))
      (br_if $panels (i32.lt_s (local.get $n) (local.get $N)))))


  ;; out [M, N] = a [M, kc] × the panels at wp [kc, N], or out += it (acc = 1). a's rows lie lda bytes
  ;; apart, out's ldo; N a multiple of 8, and out holds a multiple of 4 rows: a block of 4 rows past M
  ;; reads a's last row again and writes rows of out nobody reads.
  (func (export "gemm") (param $a i32) (param $lda i32) (param $wp i32) (param $M i32) (param $kc i32)
    (param $N i32) (param $out i32) (param $ldo i32) (param $acc i32)
    (local $m i32) (local $n i32) (local $last i32) (local $panel i32) (local $pp i32) (local $o i32) (local $end i32)
    (local $p0 i32) (local $p1 i32) (local $p2 i32) (local $p3 i32) (local $s v128) (local $b0 v128) (local $b1 v128)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128) (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (local.set $last (i32.add (local.get $a) (i32.mul (i32.sub (local.get $M) (i32.const 1)) (local.get $lda))))
    (loop $blocks
      (local.set $panel (local.get $wp))
      (local.set $n (i32.const 0))
      (loop $panels
        (local.set $o (i32.add (local.get $out) (i32.add (i32.mul (local.get $m) (local.get $ldo)) (i32.shl (local.get $n) (i32.const 2)))))
        (local.set $p0 (i32.add (local.get $a) (i32.mul (local.get $m) (local.get $lda))))
        (local.set $p1 (select (i32.add (local.get $p0) (local.get $lda)) (local.get $last) (i32.lt_u (i32.add (local.get $p0) (local.get $lda)) (local.get $last))))
        (local.set $p2 (select (i32.add (local.get $p1) (local.get $lda)) (local.get $last) (i32.lt_u (i32.add (local.get $p1) (local.get $lda)) (local.get $last))))
        (local.set $p3 (select (i32.add (local.get $p2) (local.get $lda)) (local.get $last) (i32.lt_u (i32.add (local.get $p2) (local.get $lda)) (local.get $last))))
        (local.set $end (i32.add (local.get $p0) (i32.shl (local.get $kc) (i32.const 2))))
        (if (local.get $acc)
          (then
          (local.set $c00 (v128.load (local.get $o))) (local.set $c01 (v128.load offset=16 (local.get $o)))
          (local.set $o (i32.add (local.get $o) (local.get $ldo)))
          (local.set $c10 (v128.load (local.get $o))) (local.set $c11 (v128.load offset=16 (local.get $o)))
          (local.set $o (i32.add (local.get $o) (local.get $ldo)))
          (local.set $c20 (v128.load (local.get $o))) (local.set $c21 (v128.load offset=16 (local.get $o)))
          (local.set $o (i32.add (local.get $o) (local.get $ldo)))
          (local.set $c30 (v128.load (local.get $o))) (local.set $c31 (v128.load offset=16 (local.get $o)))
          (local.set $o (i32.add (local.get $o) (local.get $ldo))))
          (else
          (local.set $c00 (v128.const i32x4 0 0 0 0)) (local.set $c01 (v128.const i32x4 0 0 0 0))
          (local.set $c10 (v128.const i32x4 0 0 0 0)) (local.set $c11 (v128.const i32x4 0 0 0 0))
          (local.set $c20 (v128.const i32x4 0 0 0 0)) (local.set $c21 (v128.const i32x4 0 0 0 0))
          (local.set $c30 (v128.const i32x4 0 0 0 0)) (local.set $c31 (v128.const i32x4 0 0 0 0))))
        (local.set $pp (local.get $panel))
        (loop $inner
          (local.set $b0 (v128.load (local.get $pp)))
          (local.set $b1 (v128.load offset=16 (local.get $pp)))
          (local.set $s (v128.load32_splat (local.get $p0)))
          (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $s) (local.get $b0))))
          (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $s) (local.get $b1))))
          (local.set $s (v128.load32_splat (local.get $p1)))
          (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $s) (local.get $b0))))
          (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $s) (local.get $b1))))
          (local.set $s (v128.load32_splat (local.get $p2)))
          (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $s) (local.get $b0))))
          (local.set $c21 (f32x4.add (local.get $c21) (f32x4.mul (local.get $s) (local.get $b1))))
          (local.set $s (v128.load32_splat (local.get $p3)))
          (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (local.get $s) (local.get $b0))))
          (local.set $c31 (f32x4.add (local.get $c31) (f32x4.mul (local.get $s) (local.get $b1))))
          (local.set $pp (i32.add (local.get $pp) (i32.const 32)))
          (local.set $p1 (i32.add (local.get $p1) (i32.const 4)))
          (local.set $p2 (i32.add (local.get $p2) (i32.const 4)))
          (local.set $p3 (i32.add (local.get $p3) (i32.const 4)))
          (local.set $p0 (i32.add (local.get $p0) (i32.const 4)))
          (br_if $inner (i32.lt_u (local.get $p0) (local.get $end))))
        (local.set $o (i32.add (local.get $out) (i32.add (i32.mul (local.get $m) (local.get $ldo)) (i32.shl (local.get $n) (i32.const 2)))))
        (v128.store (local.get $o) (local.get $c00)) (v128.store offset=16 (local.get $o) (local.get $c01))
        (local.set $o (i32.add (local.get $o) (local.get $ldo)))
        (v128.store (local.get $o) (local.get $c10)) (v128.store offset=16 (local.get $o) (local.get $c11))
        (local.set $o (i32.add (local.get $o) (local.get $ldo)))
        (v128.store (local.get $o) (local.get $c20)) (v128.store offset=16 (local.get $o) (local.get $c21))
        (local.set $o (i32.add (local.get $o) (local.get $ldo)))
        (v128.store (local.get $o) (local.get $c30)) (v128.store offset=16 (local.get $o) (local.get $c31))
        (local.set $panel (i32.add (local.get $panel) (i32.shl (local.get $kc) (i32.const 5))))
        (local.set $n (i32.add (local.get $n) (i32.const 8)))
        (br_if $panels (i32.lt_u (local.get $n) (local.get $N))))
      (local.set $m (i32.add (local.get $m) (i32.const 4)))
      (br_if $blocks (i32.lt_u (local.get $m) (local.get $M)))))
)
