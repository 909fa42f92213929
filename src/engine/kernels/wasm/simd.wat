;; Kernels in WebAssembly SIMD (four float32 lanes) for tfjs-backend-wasm, run on the backend's own
;; heap: the module imports its memory, and every pointer below is a byte offset into it.
;; - `cell` and `cellGrad`: the LSTM cell, forward and backward (the step kernels). The same maths as `cell` and `cellGrad` in
;; lstm-step-math.ts (the reference), with e^x, sigmoid and tanh to float32 precision (Cephes'
;; expf and tanhf). JavaScript's loop was the step's hot spot (tests/bench/RESULTS.md, "WASM: hand-written SIMD").
;; Layouts (lstm-step-math.ts): state rows [h | c | i f g o] (6U), gradient rows [dz (4U) | dcPrev (U)].
;; U must be a multiple of 4 (the caller checks, and runs the JavaScript loop otherwise).
;; - `colSum`: the sum over rows of a [rows, cols] matrix (a bias's gradient), where tfjs' Sum over
;;   axis 0 transposes first. cols a multiple of 4.
;; - `rowScatterAdd`: adds each row of a [N, C] matrix into the row its id names of a [V, C] one
;;   (the gradient of a row lookup; tfjs' WASM backend has no UnsortedSegmentSum). C a multiple of 4.
;; - `transpose`: a [rows, cols] matrix transposed in 8×8 tiles (plain scalar code: the point is the
;;   order, which keeps both sides in cache; tfjs' Transpose walks the output's columns).
;; Compiled by `npm run wasm` (scripts/build-wasm.mjs) into generated/simd.generated.ts.
(module
  (import "env" "memory" (memory 0))

  ;; e^x, x clamped to [-87.3, 88] (float32's normal range): x = n ln 2 + f, |f| <= ln 2 / 2,
  ;; e^f = 1 + f + f^2 P(f) (Cephes expf, about 1 ulp), times 2^n built in the exponent bits.
  (func $exp (param $x v128) (result v128)
    (local $n v128) (local $f v128)
    (local.set $x (f32x4.max (f32x4.min (local.get $x) (v128.const f32x4 88 88 88 88))
                             (v128.const f32x4 -87.3 -87.3 -87.3 -87.3)))
    (local.set $n (f32x4.nearest (f32x4.mul (local.get $x)
      (v128.const f32x4 1.44269504088896341 1.44269504088896341 1.44269504088896341 1.44269504088896341))))
    (local.set $f (f32x4.sub
      (f32x4.sub (local.get $x) (f32x4.mul (local.get $n) (v128.const f32x4 0.693359375 0.693359375 0.693359375 0.693359375)))
      (f32x4.mul (local.get $n) (v128.const f32x4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4))))
    (f32x4.mul
      (f32x4.add
        (f32x4.add
          (f32x4.mul
            (call $poly6 (local.get $f))
            (f32x4.mul (local.get $f) (local.get $f)))
          (local.get $f))
        (v128.const f32x4 1 1 1 1))
      (i32x4.shl (i32x4.add (i32x4.trunc_sat_f32x4_s (local.get $n)) (v128.const i32x4 127 127 127 127))
                 (i32.const 23))))

  ;; Cephes expf's polynomial P(f), Horner's rule.
  (func $poly6 (param $f v128) (result v128)
    (local $p v128)
    (local.set $p (v128.const f32x4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $f))
                             (v128.const f32x4 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $f))
                             (v128.const f32x4 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $f))
                             (v128.const f32x4 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $f))
                             (v128.const f32x4 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1)))
    (f32x4.add (f32x4.mul (local.get $p) (local.get $f))
               (v128.const f32x4 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1)))

  ;; 1 / (1 + e^-x)
  (func $sigmoid (param $x v128) (result v128)
    (f32x4.div (v128.const f32x4 1 1 1 1)
               (f32x4.add (v128.const f32x4 1 1 1 1) (call $exp (f32x4.neg (local.get $x))))))

  ;; tanh x (Cephes tanhf): an odd polynomial for |x| < 0.625, where 1 - 2 / (e^2|x| + 1) would
  ;; lose digits, that expression beyond, with x's sign.
  (func $tanh (param $x v128) (result v128)
    (local $a v128) (local $z v128) (local $p v128) (local $large v128)
    (local.set $a (f32x4.abs (local.get $x)))
    (local.set $large (v128.or
      (f32x4.sub (v128.const f32x4 1 1 1 1)
        (f32x4.div (v128.const f32x4 2 2 2 2)
          (f32x4.add (call $exp (f32x4.add (local.get $a) (local.get $a))) (v128.const f32x4 1 1 1 1))))
      (v128.and (local.get $x) (v128.const i32x4 0x80000000 0x80000000 0x80000000 0x80000000))))
    (local.set $z (f32x4.mul (local.get $x) (local.get $x)))
    (local.set $p (v128.const f32x4 -5.70498872745e-3 -5.70498872745e-3 -5.70498872745e-3 -5.70498872745e-3))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $z))
                             (v128.const f32x4 2.06390887954e-2 2.06390887954e-2 2.06390887954e-2 2.06390887954e-2)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $z))
                             (v128.const f32x4 -5.37397155531e-2 -5.37397155531e-2 -5.37397155531e-2 -5.37397155531e-2)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $z))
                             (v128.const f32x4 1.33314422036e-1 1.33314422036e-1 1.33314422036e-1 1.33314422036e-1)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $z))
                             (v128.const f32x4 -3.33332819422e-1 -3.33332819422e-1 -3.33332819422e-1 -3.33332819422e-1)))
    (v128.bitselect
      (f32x4.add (f32x4.mul (f32x4.mul (local.get $p) (local.get $z)) (local.get $x)) (local.get $x))
      (local.get $large)
      (f32x4.lt (local.get $a) (v128.const f32x4 0.625 0.625 0.625 0.625))))

  ;; Forward. zx, hr: [B, 4U] (z = zx + hr); prev: rows $prevW floats wide, c at column U;
  ;; out: [B, 6U] state rows.
  (func (export "cell")
    (param $zx i32) (param $hr i32) (param $prev i32) (param $prevW i32)
    (param $B i32) (param $U i32) (param $out i32)
    (local $b i32) (local $j i32) (local $ub i32) (local $z i32) (local $h i32) (local $p i32) (local $o i32)
    (local $gi v128) (local $gf v128) (local $gg v128) (local $go v128) (local $cn v128)
    (local.set $ub (i32.shl (local.get $U) (i32.const 2))) ;; a gate's bytes in a row
    (loop $rows
      (local.set $j (i32.const 0))
      (loop $cols
        (local.set $z (i32.add (local.get $zx) (local.get $j)))
        (local.set $h (i32.add (local.get $hr) (local.get $j)))
        (local.set $gi (call $sigmoid (f32x4.add (v128.load (local.get $z)) (v128.load (local.get $h)))))
        (local.set $z (i32.add (local.get $z) (local.get $ub)))
        (local.set $h (i32.add (local.get $h) (local.get $ub)))
        (local.set $gf (call $sigmoid (f32x4.add (v128.load (local.get $z)) (v128.load (local.get $h)))))
        (local.set $z (i32.add (local.get $z) (local.get $ub)))
        (local.set $h (i32.add (local.get $h) (local.get $ub)))
        (local.set $gg (call $tanh (f32x4.add (v128.load (local.get $z)) (v128.load (local.get $h)))))
        (local.set $z (i32.add (local.get $z) (local.get $ub)))
        (local.set $h (i32.add (local.get $h) (local.get $ub)))
        (local.set $go (call $sigmoid (f32x4.add (v128.load (local.get $z)) (v128.load (local.get $h)))))
        (local.set $p (i32.add (i32.add (local.get $prev) (local.get $ub)) (local.get $j)))
        (local.set $cn (f32x4.add (f32x4.mul (local.get $gf) (v128.load (local.get $p)))
                                  (f32x4.mul (local.get $gi) (local.get $gg))))
        (local.set $o (i32.add (local.get $out) (local.get $j)))
        (v128.store (local.get $o) (f32x4.mul (local.get $go) (call $tanh (local.get $cn))))
        (local.set $o (i32.add (local.get $o) (local.get $ub)))
        (v128.store (local.get $o) (local.get $cn))
        (local.set $o (i32.add (local.get $o) (local.get $ub)))
        (v128.store (local.get $o) (local.get $gi))
        (local.set $o (i32.add (local.get $o) (local.get $ub)))
        (v128.store (local.get $o) (local.get $gf))
        (local.set $o (i32.add (local.get $o) (local.get $ub)))
        (v128.store (local.get $o) (local.get $gg))
        (local.set $o (i32.add (local.get $o) (local.get $ub)))
        (v128.store (local.get $o) (local.get $go))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br_if $cols (i32.lt_u (local.get $j) (local.get $ub))))
      (local.set $zx (i32.add (local.get $zx) (i32.shl (local.get $ub) (i32.const 2))))
      (local.set $hr (i32.add (local.get $hr) (i32.shl (local.get $ub) (i32.const 2))))
      (local.set $prev (i32.add (local.get $prev) (i32.shl (local.get $prevW) (i32.const 2))))
      (local.set $out (i32.add (local.get $out) (i32.mul (local.get $ub) (i32.const 6))))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br_if $rows (i32.lt_u (local.get $b) (local.get $B)))))

  ;; Backward. state: [B, 6U] this step's rows; prev: rows $prevW wide, c at column U; dOut: [B, U];
  ;; dhRec: [B, U], or 0 for none; dc: the gradient reaching c', rows $dcW floats wide starting at
  ;; the pointer; out: [B, 5U] gradient rows.
  (func (export "cellGrad")
    (param $state i32) (param $prev i32) (param $prevW i32) (param $dOut i32) (param $dhRec i32)
    (param $dc i32) (param $dcW i32) (param $B i32) (param $U i32) (param $out i32)
    (local $b i32) (local $j i32) (local $ub i32) (local $s i32) (local $o i32)
    (local $gi v128) (local $gf v128) (local $gg v128) (local $go v128)
    (local $dh v128) (local $tc v128) (local $dct v128) (local $one v128)
    (local.set $ub (i32.shl (local.get $U) (i32.const 2)))
    (local.set $one (v128.const f32x4 1 1 1 1))
    (loop $rows
      (local.set $j (i32.const 0))
      (loop $cols
        (local.set $s (i32.add (i32.add (local.get $state) (local.get $ub)) (local.get $j)))
        (local.set $tc (call $tanh (v128.load (local.get $s))))
        (local.set $s (i32.add (local.get $s) (local.get $ub)))
        (local.set $gi (v128.load (local.get $s)))
        (local.set $s (i32.add (local.get $s) (local.get $ub)))
        (local.set $gf (v128.load (local.get $s)))
        (local.set $s (i32.add (local.get $s) (local.get $ub)))
        (local.set $gg (v128.load (local.get $s)))
        (local.set $s (i32.add (local.get $s) (local.get $ub)))
        (local.set $go (v128.load (local.get $s)))
        (local.set $dh (v128.load (i32.add (local.get $dOut) (local.get $j))))
        (if (local.get $dhRec)
          (then (local.set $dh (f32x4.add (local.get $dh) (v128.load (i32.add (local.get $dhRec) (local.get $j)))))))
        (local.set $dct (f32x4.add (v128.load (i32.add (local.get $dc) (local.get $j)))
          (f32x4.mul (f32x4.mul (local.get $dh) (local.get $go))
                     (f32x4.sub (local.get $one) (f32x4.mul (local.get $tc) (local.get $tc))))))
        (local.set $o (i32.add (local.get $out) (local.get $j)))
        (v128.store (local.get $o) (f32x4.mul (f32x4.mul (local.get $dct) (local.get $gg))
          (f32x4.mul (local.get $gi) (f32x4.sub (local.get $one) (local.get $gi)))))
        (local.set $o (i32.add (local.get $o) (local.get $ub)))
        (v128.store (local.get $o) (f32x4.mul
          (f32x4.mul (local.get $dct) (v128.load (i32.add (i32.add (local.get $prev) (local.get $ub)) (local.get $j))))
          (f32x4.mul (local.get $gf) (f32x4.sub (local.get $one) (local.get $gf)))))
        (local.set $o (i32.add (local.get $o) (local.get $ub)))
        (v128.store (local.get $o) (f32x4.mul (f32x4.mul (local.get $dct) (local.get $gi))
          (f32x4.sub (local.get $one) (f32x4.mul (local.get $gg) (local.get $gg)))))
        (local.set $o (i32.add (local.get $o) (local.get $ub)))
        (v128.store (local.get $o) (f32x4.mul (f32x4.mul (local.get $dh) (local.get $tc))
          (f32x4.mul (local.get $go) (f32x4.sub (local.get $one) (local.get $go)))))
        (local.set $o (i32.add (local.get $o) (local.get $ub)))
        (v128.store (local.get $o) (f32x4.mul (local.get $dct) (local.get $gf)))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br_if $cols (i32.lt_u (local.get $j) (local.get $ub))))
      (local.set $state (i32.add (local.get $state) (i32.mul (local.get $ub) (i32.const 6))))
      (local.set $prev (i32.add (local.get $prev) (i32.shl (local.get $prevW) (i32.const 2))))
      (local.set $dOut (i32.add (local.get $dOut) (local.get $ub)))
      (if (local.get $dhRec) (then (local.set $dhRec (i32.add (local.get $dhRec) (local.get $ub)))))
      (local.set $dc (i32.add (local.get $dc) (i32.shl (local.get $dcW) (i32.const 2))))
      (local.set $out (i32.add (local.get $out) (i32.mul (local.get $ub) (i32.const 5))))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br_if $rows (i32.lt_u (local.get $b) (local.get $B)))))

  ;; out [B, N] = a [B, K] × w [K, N], for a few rows (a step of generation, of Try it, of Look
  ;; inside's reading): 32 columns at a time in eight registers (two adjacent cache lines of each
  ;; row of w per k, where 16 columns took one and left the next to a later pass), then 16 if N is
  ;; an odd multiple of 16; w streamed once per row. N a multiple of 16.
  (func (export "matMulRows") (param $a i32) (param $w i32) (param $B i32) (param $K i32) (param $N i32)
    (param $out i32)
    (local $b i32) (local $n i32) (local $k i32) (local $nb i32) (local $p i32) (local $s v128) (local $wide i32)
    (local $acc0 v128) (local $acc1 v128) (local $acc2 v128) (local $acc3 v128)
    (local $acc4 v128) (local $acc5 v128) (local $acc6 v128) (local $acc7 v128)
    (local.set $nb (i32.shl (local.get $N) (i32.const 2))) ;; a row of w, in bytes
    (local.set $wide (i32.and (local.get $nb) (i32.const -128))) ;; whole blocks of 32 columns, in bytes
    (loop $rows
      (local.set $n (i32.const 0))
      (block $wideDone
        (br_if $wideDone (i32.eqz (local.get $wide)))
        (loop $cols
          (local.set $acc0 (v128.const i32x4 0 0 0 0))
          (local.set $acc1 (v128.const i32x4 0 0 0 0))
          (local.set $acc2 (v128.const i32x4 0 0 0 0))
          (local.set $acc3 (v128.const i32x4 0 0 0 0))
          (local.set $acc4 (v128.const i32x4 0 0 0 0))
          (local.set $acc5 (v128.const i32x4 0 0 0 0))
          (local.set $acc6 (v128.const i32x4 0 0 0 0))
          (local.set $acc7 (v128.const i32x4 0 0 0 0))
          (local.set $p (i32.add (local.get $w) (local.get $n)))
          (local.set $k (i32.const 0))
          (loop $inner
            (local.set $s (f32x4.splat (f32.load (i32.add (local.get $a) (i32.shl (local.get $k) (i32.const 2))))))
            (local.set $acc0 (f32x4.add (local.get $acc0) (f32x4.mul (local.get $s) (v128.load (local.get $p)))))
            (local.set $acc1 (f32x4.add (local.get $acc1) (f32x4.mul (local.get $s) (v128.load offset=16 (local.get $p)))))
            (local.set $acc2 (f32x4.add (local.get $acc2) (f32x4.mul (local.get $s) (v128.load offset=32 (local.get $p)))))
            (local.set $acc3 (f32x4.add (local.get $acc3) (f32x4.mul (local.get $s) (v128.load offset=48 (local.get $p)))))
            (local.set $acc4 (f32x4.add (local.get $acc4) (f32x4.mul (local.get $s) (v128.load offset=64 (local.get $p)))))
            (local.set $acc5 (f32x4.add (local.get $acc5) (f32x4.mul (local.get $s) (v128.load offset=80 (local.get $p)))))
            (local.set $acc6 (f32x4.add (local.get $acc6) (f32x4.mul (local.get $s) (v128.load offset=96 (local.get $p)))))
            (local.set $acc7 (f32x4.add (local.get $acc7) (f32x4.mul (local.get $s) (v128.load offset=112 (local.get $p)))))
            (local.set $p (i32.add (local.get $p) (local.get $nb)))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br_if $inner (i32.lt_u (local.get $k) (local.get $K))))
          (local.set $p (i32.add (local.get $out) (local.get $n)))
          (v128.store (local.get $p) (local.get $acc0))
          (v128.store offset=16 (local.get $p) (local.get $acc1))
          (v128.store offset=32 (local.get $p) (local.get $acc2))
          (v128.store offset=48 (local.get $p) (local.get $acc3))
          (v128.store offset=64 (local.get $p) (local.get $acc4))
          (v128.store offset=80 (local.get $p) (local.get $acc5))
          (v128.store offset=96 (local.get $p) (local.get $acc6))
          (v128.store offset=112 (local.get $p) (local.get $acc7))
          (local.set $n (i32.add (local.get $n) (i32.const 128)))
          (br_if $cols (i32.lt_u (local.get $n) (local.get $wide)))))
      (block $done
        (br_if $done (i32.ge_u (local.get $n) (local.get $nb)))
        (local.set $acc0 (v128.const i32x4 0 0 0 0))
        (local.set $acc1 (v128.const i32x4 0 0 0 0))
        (local.set $acc2 (v128.const i32x4 0 0 0 0))
        (local.set $acc3 (v128.const i32x4 0 0 0 0))
        (local.set $p (i32.add (local.get $w) (local.get $n)))
        (local.set $k (i32.const 0))
        (loop $tail
          (local.set $s (f32x4.splat (f32.load (i32.add (local.get $a) (i32.shl (local.get $k) (i32.const 2))))))
          (local.set $acc0 (f32x4.add (local.get $acc0) (f32x4.mul (local.get $s) (v128.load (local.get $p)))))
          (local.set $acc1 (f32x4.add (local.get $acc1) (f32x4.mul (local.get $s) (v128.load offset=16 (local.get $p)))))
          (local.set $acc2 (f32x4.add (local.get $acc2) (f32x4.mul (local.get $s) (v128.load offset=32 (local.get $p)))))
          (local.set $acc3 (f32x4.add (local.get $acc3) (f32x4.mul (local.get $s) (v128.load offset=48 (local.get $p)))))
          (local.set $p (i32.add (local.get $p) (local.get $nb)))
          (local.set $k (i32.add (local.get $k) (i32.const 1)))
          (br_if $tail (i32.lt_u (local.get $k) (local.get $K))))
        (local.set $p (i32.add (local.get $out) (local.get $n)))
        (v128.store (local.get $p) (local.get $acc0))
        (v128.store offset=16 (local.get $p) (local.get $acc1))
        (v128.store offset=32 (local.get $p) (local.get $acc2))
        (v128.store offset=48 (local.get $p) (local.get $acc3)))
      (local.set $a (i32.add (local.get $a) (i32.shl (local.get $K) (i32.const 2))))
      (local.set $out (i32.add (local.get $out) (local.get $nb)))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br_if $rows (i32.lt_u (local.get $b) (local.get $B)))))

  ;; out [cols] = the sum of x's rows [rows, cols], accumulated in float32 row by row.
  (func (export "colSum") (param $x i32) (param $rows i32) (param $cols i32) (param $out i32)
    (local $cb i32) (local $j i32) (local $r i32)
    (local.set $cb (i32.shl (local.get $cols) (i32.const 2)))
    (local.set $j (i32.const 0))
    (loop $zero
      (v128.store (i32.add (local.get $out) (local.get $j)) (v128.const i32x4 0 0 0 0))
      (local.set $j (i32.add (local.get $j) (i32.const 16)))
      (br_if $zero (i32.lt_u (local.get $j) (local.get $cb))))
    (loop $rows
      (local.set $j (i32.const 0))
      (loop $cols
        (v128.store (i32.add (local.get $out) (local.get $j))
          (f32x4.add (v128.load (i32.add (local.get $out) (local.get $j)))
                     (v128.load (i32.add (local.get $x) (local.get $j)))))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br_if $cols (i32.lt_u (local.get $j) (local.get $cb))))
      (local.set $x (i32.add (local.get $x) (local.get $cb)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br_if $rows (i32.lt_u (local.get $r) (local.get $rows)))))

  ;; out [V, C] = 0, then out[ids[n]] += x[n] for every row n of x [N, C]; ids: int32 [N]. An id
  ;; outside [0, V) is skipped: nothing is ever written outside out.
  (func (export "rowScatterAdd") (param $x i32) (param $ids i32) (param $N i32) (param $C i32)
    (param $out i32) (param $V i32)
    (local $cb i32) (local $j i32) (local $n i32) (local $id i32) (local $row i32)
    (local.set $cb (i32.shl (local.get $C) (i32.const 2)))
    (memory.fill (local.get $out) (i32.const 0) (i32.mul (local.get $cb) (local.get $V)))
    (loop $rows
      (local.set $id (i32.load (i32.add (local.get $ids) (i32.shl (local.get $n) (i32.const 2)))))
      (if (i32.lt_u (local.get $id) (local.get $V))
        (then
          (local.set $row (i32.add (local.get $out) (i32.mul (local.get $id) (local.get $cb))))
          (local.set $j (i32.const 0))
          (loop $cols
            (v128.store (i32.add (local.get $row) (local.get $j))
              (f32x4.add (v128.load (i32.add (local.get $row) (local.get $j)))
                         (v128.load (i32.add (local.get $x) (local.get $j)))))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br_if $cols (i32.lt_u (local.get $j) (local.get $cb))))))
      (local.set $x (i32.add (local.get $x) (local.get $cb)))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br_if $rows (i32.lt_u (local.get $n) (local.get $N)))))

  ;; out [cols, rows] = x [rows, cols] transposed, tile by tile; out's rows lie $ld floats apart (≥ rows).
  (func (export "transpose") (param $x i32) (param $rows i32) (param $cols i32) (param $out i32) (param $ld i32)
    (local $r0 i32) (local $c0 i32) (local $r i32) (local $c i32) (local $rEnd i32) (local $cEnd i32)
    (block $done
      (br_if $done (i32.or (i32.eqz (local.get $rows)) (i32.eqz (local.get $cols))))
      (loop $rowTiles
        (local.set $rEnd (select (i32.add (local.get $r0) (i32.const 8)) (local.get $rows)
          (i32.lt_u (i32.add (local.get $r0) (i32.const 8)) (local.get $rows))))
        (local.set $c0 (i32.const 0))
        (loop $colTiles
          (local.set $cEnd (select (i32.add (local.get $c0) (i32.const 8)) (local.get $cols)
            (i32.lt_u (i32.add (local.get $c0) (i32.const 8)) (local.get $cols))))
          (local.set $r (local.get $r0))
          (loop $inRows
            (local.set $c (local.get $c0))
            (loop $inCols
              (f32.store
                (i32.add (local.get $out) (i32.shl (i32.add (i32.mul (local.get $c) (local.get $ld)) (local.get $r)) (i32.const 2)))
                (f32.load
                  (i32.add (local.get $x) (i32.shl (i32.add (i32.mul (local.get $r) (local.get $cols)) (local.get $c)) (i32.const 2)))))
              (local.set $c (i32.add (local.get $c) (i32.const 1)))
              (br_if $inCols (i32.lt_u (local.get $c) (local.get $cEnd))))
            (local.set $r (i32.add (local.get $r) (i32.const 1)))
            (br_if $inRows (i32.lt_u (local.get $r) (local.get $rEnd))))
          (local.set $c0 (local.get $cEnd))
          (br_if $colTiles (i32.lt_u (local.get $c0) (local.get $cols))))
        (local.set $r0 (local.get $rEnd))
        (br_if $rowTiles (i32.lt_u (local.get $r0) (local.get $rows)))))))
