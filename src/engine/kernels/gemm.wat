;; A float32 matMul in WebAssembly SIMD for tfjs-backend-wasm's heap: the module imports the
;; backend's memory, and every pointer below is a byte offset into it (wasm-gemm.ts drives it).
;; - `pack` copies rows [k0, k0 + kc) of the right operand w [K, N] into panels of 8 columns, each
;;   panel kc rows of 8 values, one after the other (zeros past column N), so the kernel streams
;;   one panel straight through, in cache, instead of striding across w's rows.
;; - `gemmN`: out [M, N] = a [M, kc] × the panels (or out += it, `acc`): 4 rows × 8 columns at a
;;   time in 8 registers, each value of a splatted and multiplied into both halves of the panel's
;;   row. On this project's 2-core machine it ran the LSTM's matMuls at 50–56 GFLOP/s, where
;;   XNNPACK (tfjs-backend-wasm 4.22, one thread) ran them at 37–44.
;; - Rows past M repeat the last row and are never stored; columns past N are staged through `tmp`
;;   (32 bytes of scratch), so a partial last panel reads and writes nothing outside `out`.
;; Compiled by `npm run wasm` (scripts/build-wasm.mjs) into gemm-wasm.ts.
(module
  (import "env" "memory" (memory 0))

  ;; A half (byte offset 0 or 16) of the 8 values of `out` at o, cnt of them real (the rest read as 0), or 0 unless live.
  (func $init (param $o i32) (param $cnt i32) (param $tmp i32) (param $half i32) (param $live i32) (result v128)
    (local $j i32)
    (if (i32.eqz (local.get $live)) (then (return (v128.const i32x4 0 0 0 0))))
    (if (i32.eq (local.get $cnt) (i32.const 8)) (then (return (v128.load (i32.add (local.get $o) (local.get $half))))))
    (v128.store (local.get $tmp) (v128.const i32x4 0 0 0 0))
    (v128.store offset=16 (local.get $tmp) (v128.const i32x4 0 0 0 0))
    (loop $copy
      (f32.store (i32.add (local.get $tmp) (i32.shl (local.get $j) (i32.const 2)))
                 (f32.load (i32.add (local.get $o) (i32.shl (local.get $j) (i32.const 2)))))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (br_if $copy (i32.lt_s (local.get $j) (local.get $cnt))))
    (v128.load (i32.add (local.get $tmp) (local.get $half))))

  ;; Stores 8 values (c0, c1) at o, only the first cnt of them, and only if live.
  (func $put (param $o i32) (param $cnt i32) (param $tmp i32) (param $c0 v128) (param $c1 v128) (param $live i32)
    (local $j i32)
    (if (i32.eqz (local.get $live)) (then (return)))
    (if (i32.eq (local.get $cnt) (i32.const 8)) (then
      (v128.store (local.get $o) (local.get $c0))
      (v128.store offset=16 (local.get $o) (local.get $c1))
      (return)))
    (v128.store (local.get $tmp) (local.get $c0))
    (v128.store offset=16 (local.get $tmp) (local.get $c1))
    (loop $copy
      (f32.store (i32.add (local.get $o) (i32.shl (local.get $j) (i32.const 2)))
                 (f32.load (i32.add (local.get $tmp) (i32.shl (local.get $j) (i32.const 2)))))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (br_if $copy (i32.lt_s (local.get $j) (local.get $cnt)))))

  ;; Panels of 8 columns of rows [k0, k0 + kc) of w [K, N] (rows N floats apart), for gemmN/gemmT:
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

  ;; out [M, N] (+)= a [M, kc] (rows lda bytes apart) × the panels of wp [kc, N]
  (func (export "gemmN") (param $a i32) (param $lda i32) (param $wp i32) (param $M i32) (param $kc i32)
    (param $N i32) (param $out i32) (param $acc i32) (param $tmp i32)
    (local $m i32) (local $n i32) (local $k i32) (local $rows i32) (local $cnt i32) (local $ob i32)
    (local $panel i32) (local $pp i32) (local $o i32)
    (local $a0 i32) (local $a1 i32) (local $a2 i32) (local $a3 i32)
    (local $p0 i32) (local $p1 i32) (local $p2 i32) (local $p3 i32) (local $s v128) (local $b0 v128) (local $b1 v128)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128)
    (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (local.set $ob (i32.shl (local.get $N) (i32.const 2)))
    (loop $mblocks
      (local.set $rows (i32.sub (local.get $M) (local.get $m)))
      (if (i32.gt_s (local.get $rows) (i32.const 4)) (then (local.set $rows (i32.const 4))))
      (local.set $a0 (i32.add (local.get $a) (i32.mul (local.get $m) (local.get $lda))))
      (local.set $a1 (i32.add (local.get $a0) (i32.mul (local.get $lda) (i32.lt_s (i32.const 1) (local.get $rows)))))
      (local.set $a2 (i32.add (local.get $a0) (i32.mul (local.get $lda) (select (i32.const 2) (i32.sub (local.get $rows) (i32.const 1)) (i32.lt_s (i32.const 2) (local.get $rows))))))
      (local.set $a3 (i32.add (local.get $a0) (i32.mul (local.get $lda) (select (i32.const 3) (i32.sub (local.get $rows) (i32.const 1)) (i32.lt_s (i32.const 3) (local.get $rows))))))
      (local.set $panel (local.get $wp))
      (local.set $n (i32.const 0))
      (loop $panels
        (local.set $cnt (i32.sub (local.get $N) (local.get $n)))
        (if (i32.gt_s (local.get $cnt) (i32.const 8)) (then (local.set $cnt (i32.const 8))))
        (local.set $o (i32.add (local.get $out) (i32.add (i32.mul (local.get $m) (local.get $ob)) (i32.shl (local.get $n) (i32.const 2)))))
        (local.set $c00 (call $init (local.get $o) (local.get $cnt) (local.get $tmp) (i32.const 0) (local.get $acc)))
        (local.set $c01 (call $init (local.get $o) (local.get $cnt) (local.get $tmp) (i32.const 16) (local.get $acc)))
        (local.set $o (i32.add (local.get $o) (local.get $ob)))
        (local.set $c10 (call $init (local.get $o) (local.get $cnt) (local.get $tmp) (i32.const 0) (i32.and (local.get $acc) (i32.gt_s (local.get $rows) (i32.const 1)))))
        (local.set $c11 (call $init (local.get $o) (local.get $cnt) (local.get $tmp) (i32.const 16) (i32.and (local.get $acc) (i32.gt_s (local.get $rows) (i32.const 1)))))
        (local.set $o (i32.add (local.get $o) (local.get $ob)))
        (local.set $c20 (call $init (local.get $o) (local.get $cnt) (local.get $tmp) (i32.const 0) (i32.and (local.get $acc) (i32.gt_s (local.get $rows) (i32.const 2)))))
        (local.set $c21 (call $init (local.get $o) (local.get $cnt) (local.get $tmp) (i32.const 16) (i32.and (local.get $acc) (i32.gt_s (local.get $rows) (i32.const 2)))))
        (local.set $o (i32.add (local.get $o) (local.get $ob)))
        (local.set $c30 (call $init (local.get $o) (local.get $cnt) (local.get $tmp) (i32.const 0) (i32.and (local.get $acc) (i32.gt_s (local.get $rows) (i32.const 3)))))
        (local.set $c31 (call $init (local.get $o) (local.get $cnt) (local.get $tmp) (i32.const 16) (i32.and (local.get $acc) (i32.gt_s (local.get $rows) (i32.const 3)))))
        (local.set $pp (local.get $panel))
        (local.set $p0 (local.get $a0)) (local.set $p1 (local.get $a1)) (local.set $p2 (local.get $a2)) (local.set $p3 (local.get $a3))
        (local.set $k (local.get $kc))
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
          (local.set $p0 (i32.add (local.get $p0) (i32.const 4))) (local.set $p1 (i32.add (local.get $p1) (i32.const 4)))
          (local.set $p2 (i32.add (local.get $p2) (i32.const 4))) (local.set $p3 (i32.add (local.get $p3) (i32.const 4)))
          (local.set $k (i32.sub (local.get $k) (i32.const 1)))
          (br_if $inner (local.get $k)))
        (local.set $o (i32.add (local.get $out) (i32.add (i32.mul (local.get $m) (local.get $ob)) (i32.shl (local.get $n) (i32.const 2)))))
        (call $put (local.get $o) (local.get $cnt) (local.get $tmp) (local.get $c00) (local.get $c01) (i32.const 1))
        (local.set $o (i32.add (local.get $o) (local.get $ob)))
        (call $put (local.get $o) (local.get $cnt) (local.get $tmp) (local.get $c10) (local.get $c11) (i32.gt_s (local.get $rows) (i32.const 1)))
        (local.set $o (i32.add (local.get $o) (local.get $ob)))
        (call $put (local.get $o) (local.get $cnt) (local.get $tmp) (local.get $c20) (local.get $c21) (i32.gt_s (local.get $rows) (i32.const 2)))
        (local.set $o (i32.add (local.get $o) (local.get $ob)))
        (call $put (local.get $o) (local.get $cnt) (local.get $tmp) (local.get $c30) (local.get $c31) (i32.gt_s (local.get $rows) (i32.const 3)))
        (local.set $panel (i32.add (local.get $panel) (i32.shl (local.get $kc) (i32.const 5))))
        (local.set $n (i32.add (local.get $n) (i32.const 8)))
        (br_if $panels (i32.lt_s (local.get $n) (local.get $N))))
      (local.set $m (i32.add (local.get $m) (i32.const 4)))
      (br_if $mblocks (i32.lt_s (local.get $m) (local.get $M)))))

)
