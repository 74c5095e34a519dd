;; The training engine's WebAssembly SIMD hot loops (`npm run build:wasm` compiles them into nnopsModule.ts).
;; Convolution is im2col + two small matrix products per sample (forward: W·cols; backward: dW += dY·colsᵀ and
;; dcols = Wᵀ·dY, then col2im), so one pair of well-blocked products serves every stride and padding.
;; Pointers are byte offsets, strides and sizes are in floats, data is float32 and sums are float32 lanes.
;; The products read up to 8 floats past the end of a row or buffer (the lanes they do not store): every buffer
;; handed to them must be followed by 32 bytes of readable memory (wasmOps.ts pads each region).
(module
  (memory (export "memory") 1)

  ;; Stores the first n (≤ 0: none, ≥ 4: all) lanes of v at p.
  (func $storeN (param $p i32) (param $v v128) (param $n i32)
    (if (i32.ge_s (local.get $n) (i32.const 4))
      (then (v128.store (local.get $p) (local.get $v)) (return)))
    (if (i32.le_s (local.get $n) (i32.const 0)) (then (return)))
    (f32.store (local.get $p) (f32x4.extract_lane 0 (local.get $v)))
    (if (i32.ge_s (local.get $n) (i32.const 2))
      (then (f32.store offset=4 (local.get $p) (f32x4.extract_lane 1 (local.get $v)))))
    (if (i32.ge_s (local.get $n) (i32.const 3))
      (then (f32.store offset=8 (local.get $p) (f32x4.extract_lane 2 (local.get $v))))))

  ;; C[i·N + j] = bias[i] + Σ_l A[i·asi + l·asl] · B[l·N + j]   for i < M, j < N, l < K (bias 0 = none).
  ;; Blocks of 4 rows × 8 columns (8 accumulators), then 4 × 4; rows past M repeat row M−1 and are not stored.
  (func $gemmNN (export "gemmNN") (param $M i32) (param $N i32) (param $K i32) (param $A i32) (param $asi i32)
    (param $asl i32) (param $B i32) (param $C i32) (param $bias i32)
    (local $i i32) (local $j i32) (local $l i32) (local $rows i32) (local $ldb i32) (local $sa i32)
    (local $p0 i32) (local $p1 i32) (local $p2 i32) (local $p3 i32) (local $pb i32) (local $c i32) (local $r i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $b0 v128) (local $b1 v128)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128)
    (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (local $z0 v128) (local $z1 v128) (local $z2 v128) (local $z3 v128)
    (local.set $ldb (i32.shl (local.get $N) (i32.const 2)))
    (local.set $sa (i32.shl (local.get $asl) (i32.const 2)))
    (block $idone (loop $iloop
      (br_if $idone (i32.ge_s (local.get $i) (local.get $M)))
      (local.set $rows (i32.sub (local.get $M) (local.get $i)))
      ;; Row start pointers, clamped to the last row.
      (local.set $r (i32.sub (local.get $M) (i32.const 1)))
      (local.set $p0 (i32.add (local.get $A) (i32.shl (i32.mul (local.get $i) (local.get $asi)) (i32.const 2))))
      (local.set $p1 (i32.add (local.get $A) (i32.shl (i32.mul
        (select (i32.add (local.get $i) (i32.const 1)) (local.get $r) (i32.lt_s (i32.add (local.get $i) (i32.const 1)) (local.get $M)))
        (local.get $asi)) (i32.const 2))))
      (local.set $p2 (i32.add (local.get $A) (i32.shl (i32.mul
        (select (i32.add (local.get $i) (i32.const 2)) (local.get $r) (i32.lt_s (i32.add (local.get $i) (i32.const 2)) (local.get $M)))
        (local.get $asi)) (i32.const 2))))
      (local.set $p3 (i32.add (local.get $A) (i32.shl (i32.mul
        (select (i32.add (local.get $i) (i32.const 3)) (local.get $r) (i32.lt_s (i32.add (local.get $i) (i32.const 3)) (local.get $M)))
        (local.get $asi)) (i32.const 2))))
      ;; Bias of each row (0 without).
      (if (local.get $bias) (then
        (local.set $z0 (f32x4.splat (f32.load (i32.add (local.get $bias) (i32.shl (local.get $i) (i32.const 2))))))
        (local.set $z1 (f32x4.splat (f32.load (i32.add (local.get $bias) (i32.shl
          (select (i32.add (local.get $i) (i32.const 1)) (local.get $r) (i32.lt_s (i32.add (local.get $i) (i32.const 1)) (local.get $M))) (i32.const 2))))))
        (local.set $z2 (f32x4.splat (f32.load (i32.add (local.get $bias) (i32.shl
          (select (i32.add (local.get $i) (i32.const 2)) (local.get $r) (i32.lt_s (i32.add (local.get $i) (i32.const 2)) (local.get $M))) (i32.const 2))))))
        (local.set $z3 (f32x4.splat (f32.load (i32.add (local.get $bias) (i32.shl
          (select (i32.add (local.get $i) (i32.const 3)) (local.get $r) (i32.lt_s (i32.add (local.get $i) (i32.const 3)) (local.get $M))) (i32.const 2))))))))
      (local.set $j (i32.const 0))
      (block $jdone (loop $jloop
        (br_if $jdone (i32.ge_s (local.get $j) (local.get $N)))
        (local.set $c00 (local.get $z0)) (local.set $c01 (local.get $z0))
        (local.set $c10 (local.get $z1)) (local.set $c11 (local.get $z1))
        (local.set $c20 (local.get $z2)) (local.set $c21 (local.get $z2))
        (local.set $c30 (local.get $z3)) (local.set $c31 (local.get $z3))
        (local.set $pb (i32.add (local.get $B) (i32.shl (local.get $j) (i32.const 2))))
        (if (i32.gt_s (i32.sub (local.get $N) (local.get $j)) (i32.const 4))
          (then
            ;; 4 × 8
            (local.set $l (local.get $K))
            (block $kdone (loop $kloop
              (br_if $kdone (i32.eqz (local.get $l)))
              (local.set $b0 (v128.load (local.get $pb)))
              (local.set $b1 (v128.load offset=16 (local.get $pb)))
              (local.set $a0 (v128.load32_splat (local.get $p0)))
              (local.set $a1 (v128.load32_splat (local.get $p1)))
              (local.set $a2 (v128.load32_splat (local.get $p2)))
              (local.set $a3 (v128.load32_splat (local.get $p3)))
              (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $a0) (local.get $b0))))
              (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $a0) (local.get $b1))))
              (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $a1) (local.get $b0))))
              (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $a1) (local.get $b1))))
              (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $a2) (local.get $b0))))
              (local.set $c21 (f32x4.add (local.get $c21) (f32x4.mul (local.get $a2) (local.get $b1))))
              (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (local.get $a3) (local.get $b0))))
              (local.set $c31 (f32x4.add (local.get $c31) (f32x4.mul (local.get $a3) (local.get $b1))))
              (local.set $p0 (i32.add (local.get $p0) (local.get $sa)))
              (local.set $p1 (i32.add (local.get $p1) (local.get $sa)))
              (local.set $p2 (i32.add (local.get $p2) (local.get $sa)))
              (local.set $p3 (i32.add (local.get $p3) (local.get $sa)))
              (local.set $pb (i32.add (local.get $pb) (local.get $ldb)))
              (local.set $l (i32.sub (local.get $l) (i32.const 1)))
              (br $kloop))))
          (else
            ;; 4 × 4 (the last 1–4 columns)
            (local.set $l (local.get $K))
            (block $kdone (loop $kloop
              (br_if $kdone (i32.eqz (local.get $l)))
              (local.set $b0 (v128.load (local.get $pb)))
              (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (v128.load32_splat (local.get $p0)) (local.get $b0))))
              (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (v128.load32_splat (local.get $p1)) (local.get $b0))))
              (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (v128.load32_splat (local.get $p2)) (local.get $b0))))
              (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (v128.load32_splat (local.get $p3)) (local.get $b0))))
              (local.set $p0 (i32.add (local.get $p0) (local.get $sa)))
              (local.set $p1 (i32.add (local.get $p1) (local.get $sa)))
              (local.set $p2 (i32.add (local.get $p2) (local.get $sa)))
              (local.set $p3 (i32.add (local.get $p3) (local.get $sa)))
              (local.set $pb (i32.add (local.get $pb) (local.get $ldb)))
              (local.set $l (i32.sub (local.get $l) (i32.const 1)))
              (br $kloop)))))
        ;; Rewind the A pointers for the next column block.
        (local.set $c (i32.mul (local.get $K) (local.get $sa)))
        (local.set $p0 (i32.sub (local.get $p0) (local.get $c)))
        (local.set $p1 (i32.sub (local.get $p1) (local.get $c)))
        (local.set $p2 (i32.sub (local.get $p2) (local.get $c)))
        (local.set $p3 (i32.sub (local.get $p3) (local.get $c)))
        ;; Store the valid rows and columns.
        (local.set $c (i32.add (local.get $C) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $N)) (local.get $j)) (i32.const 2))))
        (local.set $r (i32.sub (local.get $N) (local.get $j)))
        (call $storeN (local.get $c) (local.get $c00) (local.get $r))
        (call $storeN (i32.add (local.get $c) (i32.const 16)) (local.get $c01) (i32.sub (local.get $r) (i32.const 4)))
        (if (i32.gt_s (local.get $rows) (i32.const 1)) (then
          (local.set $c (i32.add (local.get $c) (local.get $ldb)))
          (call $storeN (local.get $c) (local.get $c10) (local.get $r))
          (call $storeN (i32.add (local.get $c) (i32.const 16)) (local.get $c11) (i32.sub (local.get $r) (i32.const 4)))))
        (if (i32.gt_s (local.get $rows) (i32.const 2)) (then
          (local.set $c (i32.add (local.get $c) (local.get $ldb)))
          (call $storeN (local.get $c) (local.get $c20) (local.get $r))
          (call $storeN (i32.add (local.get $c) (i32.const 16)) (local.get $c21) (i32.sub (local.get $r) (i32.const 4)))))
        (if (i32.gt_s (local.get $rows) (i32.const 3)) (then
          (local.set $c (i32.add (local.get $c) (local.get $ldb)))
          (call $storeN (local.get $c) (local.get $c30) (local.get $r))
          (call $storeN (i32.add (local.get $c) (i32.const 16)) (local.get $c31) (i32.sub (local.get $r) (i32.const 4)))))
        (local.set $j (i32.add (local.get $j) (i32.const 8)))
        (br $jloop)))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br $iloop))))

;; C[i·N + j] = bias[i] + Σ_l A(i, l) · B[l·N + j]   for i < M, j < N, l < K (bias 0 = none), where A(i, l) is at
  ;; A + (i / 4)·bs + l·ls + (i mod 4)·4 (bytes): four rows side by side, so one pointer and constant offsets reach all
  ;; four (packRows makes this layout from a row-major matrix; a transposed one, W as Wᵀ, has it with bs = 16, ls = 4·K).
  ;; Rows past M are computed from whatever A holds there (zeros when packed, or the next floats) and never stored.
  ;; Blocks of 4 rows × 8 columns (8 accumulators), then 4 × 4; sums in the order of l, as gemmNN.
  (func $gemmP (param $M i32) (param $N i32) (param $K i32) (param $A i32) (param $bs i32) (param $ls i32) (param $B i32)
    (param $C i32) (param $bias i32)
    (local $i i32) (local $j i32) (local $rows i32) (local $ldb i32) (local $pa i32) (local $pe i32) (local $pb i32)
    (local $c i32) (local $r i32) (local $a v128) (local $b0 v128) (local $b1 v128)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128)
    (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (local $z0 v128) (local $z1 v128) (local $z2 v128) (local $z3 v128)
    (local.set $ldb (i32.shl (local.get $N) (i32.const 2)))
    (block $idone (loop $iloop
      (br_if $idone (i32.ge_s (local.get $i) (local.get $M)))
      (local.set $rows (i32.sub (local.get $M) (local.get $i)))
      (if (local.get $bias) (then
        (local.set $c (i32.add (local.get $bias) (i32.shl (local.get $i) (i32.const 2))))
        (local.set $z0 (v128.load32_splat (local.get $c)))
        (local.set $z1 (v128.load32_splat offset=4 (local.get $c)))
        (local.set $z2 (v128.load32_splat offset=8 (local.get $c)))
        (local.set $z3 (v128.load32_splat offset=12 (local.get $c)))))
      (local.set $j (i32.const 0))
      (block $jdone (loop $jloop
        (br_if $jdone (i32.ge_s (local.get $j) (local.get $N)))
        (local.set $c00 (local.get $z0)) (local.set $c01 (local.get $z0))
        (local.set $c10 (local.get $z1)) (local.set $c11 (local.get $z1))
        (local.set $c20 (local.get $z2)) (local.set $c21 (local.get $z2))
        (local.set $c30 (local.get $z3)) (local.set $c31 (local.get $z3))
        (local.set $pa (i32.add (local.get $A) (i32.mul (i32.shr_u (local.get $i) (i32.const 2)) (local.get $bs))))
        (local.set $pe (i32.add (local.get $pa) (i32.mul (local.get $K) (local.get $ls))))
        (local.set $pb (i32.add (local.get $B) (i32.shl (local.get $j) (i32.const 2))))
        (local.set $r (i32.sub (local.get $N) (local.get $j)))
        (if (i32.gt_s (local.get $r) (i32.const 4))
          (then
            (block $kdone (loop $kloop
              (br_if $kdone (i32.eq (local.get $pa) (local.get $pe)))
              (local.set $b0 (v128.load (local.get $pb)))
              (local.set $b1 (v128.load offset=16 (local.get $pb)))
              (local.set $a (v128.load32_splat (local.get $pa)))
              (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $a) (local.get $b0))))
              (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $a) (local.get $b1))))
              (local.set $a (v128.load32_splat offset=4 (local.get $pa)))
              (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $a) (local.get $b0))))
              (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $a) (local.get $b1))))
              (local.set $a (v128.load32_splat offset=8 (local.get $pa)))
              (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $a) (local.get $b0))))
              (local.set $c21 (f32x4.add (local.get $c21) (f32x4.mul (local.get $a) (local.get $b1))))
              (local.set $a (v128.load32_splat offset=12 (local.get $pa)))
              (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (local.get $a) (local.get $b0))))
              (local.set $c31 (f32x4.add (local.get $c31) (f32x4.mul (local.get $a) (local.get $b1))))
              (local.set $pa (i32.add (local.get $pa) (local.get $ls)))
              (local.set $pb (i32.add (local.get $pb) (local.get $ldb)))
              (br $kloop))))
          (else
            (block $kdone (loop $kloop
              (br_if $kdone (i32.eq (local.get $pa) (local.get $pe)))
              (local.set $b0 (v128.load (local.get $pb)))
              (local.set $a (v128.load32_splat (local.get $pa)))
              (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $a) (local.get $b0))))
              (local.set $a (v128.load32_splat offset=4 (local.get $pa)))
              (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $a) (local.get $b0))))
              (local.set $a (v128.load32_splat offset=8 (local.get $pa)))
              (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $a) (local.get $b0))))
              (local.set $a (v128.load32_splat offset=12 (local.get $pa)))
              (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (local.get $a) (local.get $b0))))
              (local.set $pa (i32.add (local.get $pa) (local.get $ls)))
              (local.set $pb (i32.add (local.get $pb) (local.get $ldb)))
              (br $kloop)))))
        (local.set $c (i32.add (local.get $C) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $N)) (local.get $j)) (i32.const 2))))
        (if (i32.and (i32.ge_s (local.get $r) (i32.const 8)) (i32.ge_s (local.get $rows) (i32.const 4)))
          (then
            (v128.store (local.get $c) (local.get $c00))
            (v128.store offset=16 (local.get $c) (local.get $c01))
            (local.set $c (i32.add (local.get $c) (local.get $ldb)))
            (v128.store (local.get $c) (local.get $c10))
            (v128.store offset=16 (local.get $c) (local.get $c11))
            (local.set $c (i32.add (local.get $c) (local.get $ldb)))
            (v128.store (local.get $c) (local.get $c20))
            (v128.store offset=16 (local.get $c) (local.get $c21))
            (local.set $c (i32.add (local.get $c) (local.get $ldb)))
            (v128.store (local.get $c) (local.get $c30))
            (v128.store offset=16 (local.get $c) (local.get $c31)))
          (else
            (call $storeN (local.get $c) (local.get $c00) (local.get $r))
            (call $storeN (i32.add (local.get $c) (i32.const 16)) (local.get $c01) (i32.sub (local.get $r) (i32.const 4)))
            (if (i32.gt_s (local.get $rows) (i32.const 1)) (then
              (local.set $c (i32.add (local.get $c) (local.get $ldb)))
              (call $storeN (local.get $c) (local.get $c10) (local.get $r))
              (call $storeN (i32.add (local.get $c) (i32.const 16)) (local.get $c11) (i32.sub (local.get $r) (i32.const 4)))))
            (if (i32.gt_s (local.get $rows) (i32.const 2)) (then
              (local.set $c (i32.add (local.get $c) (local.get $ldb)))
              (call $storeN (local.get $c) (local.get $c20) (local.get $r))
              (call $storeN (i32.add (local.get $c) (i32.const 16)) (local.get $c21) (i32.sub (local.get $r) (i32.const 4)))))
            (if (i32.gt_s (local.get $rows) (i32.const 3)) (then
              (local.set $c (i32.add (local.get $c) (local.get $ldb)))
              (call $storeN (local.get $c) (local.get $c30) (local.get $r))
              (call $storeN (i32.add (local.get $c) (i32.const 16)) (local.get $c31) (i32.sub (local.get $r) (i32.const 4)))))))
        (local.set $j (i32.add (local.get $j) (i32.const 8)))
        (br $jloop)))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br $iloop))))

  ;; dst = the M × K row-major matrix at A in gemmP's layout (bs = 16·K, ls = 16), rows past M (up to a multiple of 4) zero.
  (func $packRows (param $A i32) (param $M i32) (param $K i32) (param $dst i32)
    (local $i i32) (local $l i32) (local $src i32) (local $d i32) (local $M4 i32)
    (local.set $M4 (i32.and (i32.add (local.get $M) (i32.const 3)) (i32.const -4)))
    (block $idone (loop $iloop
      (br_if $idone (i32.ge_s (local.get $i) (local.get $M4)))
      (local.set $d (i32.add (local.get $dst) (i32.add (i32.mul (i32.shr_u (local.get $i) (i32.const 2)) (i32.shl (local.get $K) (i32.const 4)))
        (i32.shl (i32.and (local.get $i) (i32.const 3)) (i32.const 2)))))
      (local.set $src (i32.add (local.get $A) (i32.shl (i32.mul (local.get $i) (local.get $K)) (i32.const 2))))
      (local.set $l (i32.const 0))
      (block $ldone (loop $lloop
        (br_if $ldone (i32.ge_s (local.get $l) (local.get $K)))
        (f32.store (local.get $d) (if (result f32) (i32.lt_s (local.get $i) (local.get $M)) (then (f32.load (local.get $src))) (else (f32.const 0))))
        (local.set $d (i32.add (local.get $d) (i32.const 16)))
        (local.set $src (i32.add (local.get $src) (i32.const 4)))
        (local.set $l (i32.add (local.get $l) (i32.const 1)))
        (br $lloop)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $iloop))))

  ;; Lanes 0..n−1 all ones, the rest zero (n in 0..4).
  (func $laneMask (param $n i32) (result v128)
    (i32x4.gt_s (i32x4.splat (local.get $n)) (v128.const i32x4 0 1 2 3)))

  (func $hsum (param $v v128) (result f32)
    (local.set $v (f32x4.add (local.get $v) (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v))))
    (f32.add (f32x4.extract_lane 0 (local.get $v)) (f32x4.extract_lane 1 (local.get $v))))

  ;; C[i·N + j] = (acc ? C[i·N + j] : 0) + (bias ? bias[j] : 0) + Σ_b Σ_l A[b·sa + i·L + l] · B[b·sb + j·L + l]
  ;; (i < M, j < N, b < nb; sa, sb in bytes): dot products along l, summed over nb batches of A and B (a conv's dw
  ;; sums over every sample inside one block). Blocks of 4 rows × 2 columns (B, the larger operand in a conv's dw,
  ;; is read once per 4 rows of A); the last partial vector of l is
  ;; masked in both operands; rows and columns past M, N repeat the last one and are not stored.
  (func $gemmNT (export "gemmNT") (param $M i32) (param $N i32) (param $L i32) (param $A i32) (param $B i32)
    (param $C i32) (param $bias i32) (param $acc i32) (param $nb i32) (param $sa i32) (param $sb i32)
    (local $i i32) (local $j i32) (local $l i32) (local $row i32) (local $mask v128) (local $t i32) (local $o i32)
    (local $pa0 i32) (local $pa1 i32) (local $pa2 i32) (local $pa3 i32) (local $pb0 i32) (local $pb1 i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $b0 v128) (local $b1 v128)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128)
    (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (local $bi i32) (local $ps f32) (local $po i32) (local $hv v128)
    (local.set $row (i32.shl (local.get $L) (i32.const 2)))
    (local.set $t (i32.and (local.get $L) (i32.const -4)))
    (local.set $mask (call $laneMask (i32.and (local.get $L) (i32.const 3))))
    (block $idone (loop $iloop
      (br_if $idone (i32.ge_s (local.get $i) (local.get $M)))
      (local.set $j (i32.const 0))
      (block $jdone (loop $jloop
        (br_if $jdone (i32.ge_s (local.get $j) (local.get $N)))
        (local.set $c00 (v128.const i32x4 0 0 0 0)) (local.set $c01 (local.get $c00))
        (local.set $c10 (local.get $c00)) (local.set $c11 (local.get $c00))
        (local.set $c20 (local.get $c00)) (local.set $c21 (local.get $c00))
        (local.set $c30 (local.get $c00)) (local.set $c31 (local.get $c00))
        (local.set $bi (i32.const 0))
        (block $bdone (loop $bloop
          (br_if $bdone (i32.ge_s (local.get $bi) (local.get $nb)))
          (local.set $pa0 (i32.add (i32.add (local.get $A) (i32.mul (local.get $bi) (local.get $sa))) (i32.mul (local.get $i) (local.get $row))))
          (local.set $pa1 (select (i32.add (local.get $pa0) (local.get $row)) (local.get $pa0)
            (i32.lt_s (i32.add (local.get $i) (i32.const 1)) (local.get $M))))
          (local.set $pa2 (select (i32.add (local.get $pa1) (local.get $row)) (local.get $pa1)
            (i32.lt_s (i32.add (local.get $i) (i32.const 2)) (local.get $M))))
          (local.set $pa3 (select (i32.add (local.get $pa2) (local.get $row)) (local.get $pa2)
            (i32.lt_s (i32.add (local.get $i) (i32.const 3)) (local.get $M))))
          (local.set $pb0 (i32.add (i32.add (local.get $B) (i32.mul (local.get $bi) (local.get $sb))) (i32.mul (local.get $j) (local.get $row))))
          (local.set $pb1 (select (i32.add (local.get $pb0) (local.get $row)) (local.get $pb0)
            (i32.lt_s (i32.add (local.get $j) (i32.const 1)) (local.get $N))))
          (local.set $l (i32.const 0))
          ;; Full vectors (pointers advance), then one masked partial vector if L is not a multiple of 4.
          (local.set $o (i32.add (local.get $pa0) (i32.shl (local.get $t) (i32.const 2))))
          (block $ldone (loop $lloop
            (br_if $ldone (i32.ge_u (local.get $pa0) (local.get $o)))
            (local.set $a0 (v128.load (local.get $pa0)))
            (local.set $a1 (v128.load (local.get $pa1)))
            (local.set $a2 (v128.load (local.get $pa2)))
            (local.set $a3 (v128.load (local.get $pa3)))
            (local.set $b0 (v128.load (local.get $pb0)))
            (local.set $b1 (v128.load (local.get $pb1)))
            (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $a0) (local.get $b0))))
            (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $a0) (local.get $b1))))
            (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $a1) (local.get $b0))))
            (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $a1) (local.get $b1))))
            (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $a2) (local.get $b0))))
            (local.set $c21 (f32x4.add (local.get $c21) (f32x4.mul (local.get $a2) (local.get $b1))))
            (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (local.get $a3) (local.get $b0))))
            (local.set $c31 (f32x4.add (local.get $c31) (f32x4.mul (local.get $a3) (local.get $b1))))
            (local.set $pa0 (i32.add (local.get $pa0) (i32.const 16)))
            (local.set $pa1 (i32.add (local.get $pa1) (i32.const 16)))
            (local.set $pa2 (i32.add (local.get $pa2) (i32.const 16)))
            (local.set $pa3 (i32.add (local.get $pa3) (i32.const 16)))
            (local.set $pb0 (i32.add (local.get $pb0) (i32.const 16)))
            (local.set $pb1 (i32.add (local.get $pb1) (i32.const 16)))
            (br $lloop)))
          (if (v128.any_true (local.get $mask)) (then
            (local.set $a0 (v128.and (v128.load (local.get $pa0)) (local.get $mask)))
            (local.set $a1 (v128.and (v128.load (local.get $pa1)) (local.get $mask)))
            (local.set $a2 (v128.and (v128.load (local.get $pa2)) (local.get $mask)))
            (local.set $a3 (v128.and (v128.load (local.get $pa3)) (local.get $mask)))
            (local.set $b0 (v128.and (v128.load (local.get $pb0)) (local.get $mask)))
            (local.set $b1 (v128.and (v128.load (local.get $pb1)) (local.get $mask)))
              (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $a0) (local.get $b0))))
              (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $a0) (local.get $b1))))
              (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $a1) (local.get $b0))))
              (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $a1) (local.get $b1))))
              (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $a2) (local.get $b0))))
              (local.set $c21 (f32x4.add (local.get $c21) (f32x4.mul (local.get $a2) (local.get $b1))))
              (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (local.get $a3) (local.get $b0))))
              (local.set $c31 (f32x4.add (local.get $c31) (f32x4.mul (local.get $a3) (local.get $b1))))
))
          (local.set $bi (i32.add (local.get $bi) (i32.const 1)))
          (br $bloop)))
        (local.set $o (i32.add (local.get $j) (i32.const 1)))
        (@putNT (local.get $i) (local.get $j) (local.get $c00))
        (@putNT (local.get $i) (local.get $o) (local.get $c01))
        (@putNT (i32.add (local.get $i) (i32.const 1)) (local.get $j) (local.get $c10))
        (@putNT (i32.add (local.get $i) (i32.const 1)) (local.get $o) (local.get $c11))
        (@putNT (i32.add (local.get $i) (i32.const 2)) (local.get $j) (local.get $c20))
        (@putNT (i32.add (local.get $i) (i32.const 2)) (local.get $o) (local.get $c21))
        (@putNT (i32.add (local.get $i) (i32.const 3)) (local.get $j) (local.get $c30))
        (@putNT (i32.add (local.get $i) (i32.const 3)) (local.get $o) (local.get $c31))
        (local.set $j (i32.add (local.get $j) (i32.const 2)))
        (br $jloop)))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br $iloop))))

  ;; One entry of gemmNT's block (inline: V8 does not inline calls): C[i·N + j] = (acc ? C[i·N + j] : 0) +
  ;; (bias ? bias[j] : 0) + the lanes of v, if in range. Uses gemmNT's locals $ps, $po, $hv.
  (@define putNT (%i %j %v)
    (if (i32.and (i32.lt_s %i (local.get $M)) (i32.lt_s %j (local.get $N))) (then
      (local.set $hv (f32x4.add %v (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 %v %v)))
      (local.set $ps (f32.add (f32x4.extract_lane 0 (local.get $hv)) (f32x4.extract_lane 1 (local.get $hv))))
      (local.set $po (i32.add (local.get $C) (i32.shl (i32.add (i32.mul %i (local.get $N)) %j) (i32.const 2))))
      (if (local.get $bias) (then (local.set $ps (f32.add (local.get $ps) (f32.load (i32.add (local.get $bias) (i32.shl %j (i32.const 2))))))))
      (if (local.get $acc) (then (local.set $ps (f32.add (f32.load (local.get $po)) (local.get $ps)))))
      (f32.store (local.get $po) (local.get $ps)))))

  ;; First and one-past-last output index o in [0, O) whose input index o·s − p + k lies in [0, I).
  (func $lo (param $p i32) (param $k i32) (param $s i32) (result i32)
    (local $t i32)
    (local.set $t (i32.sub (local.get $p) (local.get $k)))
    (if (result i32) (i32.le_s (local.get $t) (i32.const 0)) (then (i32.const 0))
      (else (i32.div_s (i32.add (local.get $t) (i32.sub (local.get $s) (i32.const 1))) (local.get $s)))))
  (func $hi (param $I i32) (param $p i32) (param $k i32) (param $s i32) (param $O i32) (result i32)
    (local $t i32)
    (local.set $t (i32.sub (i32.add (i32.sub (local.get $I) (i32.const 1)) (local.get $p)) (local.get $k)))
    (if (result i32) (i32.lt_s (local.get $t) (i32.const 0)) (then (i32.const 0))
      (else (local.set $t (i32.add (i32.div_s (local.get $t) (local.get $s)) (i32.const 1)))
        (select (local.get $t) (local.get $O) (i32.lt_s (local.get $t) (local.get $O))))))

  ;; One sample's columns: cols[((ci·KH + kh)·KW + kw)·OH·OW + oh·OW + ow] = x[ci, oh·s − p + kh, ow·s − p + kw] or 0.
  ;; With col2im (acc = 1) the reverse: x[ci, ih, iw] += cols[...] over every (kh, kw, oh, ow) that reads it.
  (func $im2col (param $x i32) (param $cols i32) (param $Cin i32) (param $H i32) (param $W i32) (param $KH i32)
    (param $KW i32) (param $s i32) (param $p i32) (param $OH i32) (param $OW i32) (param $back i32)
    (local $ci i32) (local $kh i32) (local $kw i32) (local $oh i32) (local $ow i32) (local $ih i32)
    (local $hlo i32) (local $hhi i32) (local $wlo i32) (local $whi i32) (local $dst i32) (local $src i32)
    (local $row i32) (local $n i32)
    (local.set $row (i32.shl (local.get $OW) (i32.const 2)))
    (local.set $dst (local.get $cols))
    (local.set $ci (i32.const 0))
    (loop $cil
      (local.set $kh (i32.const 0))
      (loop $khl
        (local.set $hlo (call $lo (local.get $p) (local.get $kh) (local.get $s)))
        (local.set $hhi (call $hi (local.get $H) (local.get $p) (local.get $kh) (local.get $s) (local.get $OH)))
        (local.set $kw (i32.const 0))
        (loop $kwl
          (local.set $wlo (call $lo (local.get $p) (local.get $kw) (local.get $s)))
          (local.set $whi (call $hi (local.get $W) (local.get $p) (local.get $kw) (local.get $s) (local.get $OW)))
          (if (i32.gt_s (local.get $wlo) (local.get $OW)) (then (local.set $wlo (local.get $OW))))
          (if (i32.lt_s (local.get $whi) (local.get $wlo)) (then (local.set $whi (local.get $wlo))))
          (local.set $oh (i32.const 0))
          (loop $ohl
            (if (i32.or (i32.lt_s (local.get $oh) (local.get $hlo)) (i32.ge_s (local.get $oh) (local.get $hhi)))
              (then (if (i32.eqz (local.get $back)) (then (memory.fill (local.get $dst) (i32.const 0) (local.get $row)))))
              (else
                (local.set $ih (i32.sub (i32.add (i32.mul (local.get $oh) (local.get $s)) (local.get $kh)) (local.get $p)))
                ;; x at (ci, ih, wlo·s − p + kw)
                (local.set $src (i32.add (local.get $x) (i32.shl (i32.add (i32.mul (i32.add (i32.mul (local.get $ci) (local.get $H))
                  (local.get $ih)) (local.get $W)) (i32.sub (i32.add (i32.mul (local.get $wlo) (local.get $s)) (local.get $kw)) (local.get $p))) (i32.const 2))))
                (if (i32.eqz (local.get $back))
                  (then
                    (memory.fill (local.get $dst) (i32.const 0) (i32.shl (local.get $wlo) (i32.const 2)))
                    (memory.fill (i32.add (local.get $dst) (i32.shl (local.get $whi) (i32.const 2))) (i32.const 0)
                      (i32.shl (i32.sub (local.get $OW) (local.get $whi)) (i32.const 2)))
                    (if (i32.eq (local.get $s) (i32.const 1))
                      (then (memory.copy (i32.add (local.get $dst) (i32.shl (local.get $wlo) (i32.const 2))) (local.get $src)
                        (i32.shl (i32.sub (local.get $whi) (local.get $wlo)) (i32.const 2))))
                      (else
                        (local.set $ow (local.get $wlo))
                        (block $d (loop $owl
                          (br_if $d (i32.ge_s (local.get $ow) (local.get $whi)))
                          (f32.store (i32.add (local.get $dst) (i32.shl (local.get $ow) (i32.const 2))) (f32.load (local.get $src)))
                          (local.set $src (i32.add (local.get $src) (i32.shl (local.get $s) (i32.const 2))))
                          (local.set $ow (i32.add (local.get $ow) (i32.const 1)))
                          (br $owl))))))
                  (else
                    (local.set $ow (local.get $wlo))
                    (if (i32.eq (local.get $s) (i32.const 1)) (then
                      (local.set $n (i32.add (local.get $wlo) (i32.and (i32.sub (local.get $whi) (local.get $wlo)) (i32.const -4))))
                      (block $d (loop $owl
                        (br_if $d (i32.ge_s (local.get $ow) (local.get $n)))
                        (v128.store (local.get $src) (f32x4.add (v128.load (local.get $src))
                          (v128.load (i32.add (local.get $dst) (i32.shl (local.get $ow) (i32.const 2))))))
                        (local.set $src (i32.add (local.get $src) (i32.const 16)))
                        (local.set $ow (i32.add (local.get $ow) (i32.const 4)))
                        (br $owl)))))
                    (block $d (loop $owl
                      (br_if $d (i32.ge_s (local.get $ow) (local.get $whi)))
                      (f32.store (local.get $src) (f32.add (f32.load (local.get $src))
                        (f32.load (i32.add (local.get $dst) (i32.shl (local.get $ow) (i32.const 2))))))
                      (local.set $src (i32.add (local.get $src) (i32.shl (local.get $s) (i32.const 2))))
                      (local.set $ow (i32.add (local.get $ow) (i32.const 1)))
                      (br $owl)))))))
            (local.set $dst (i32.add (local.get $dst) (local.get $row)))
            (local.set $oh (i32.add (local.get $oh) (i32.const 1)))
            (br_if $ohl (i32.lt_s (local.get $oh) (local.get $OH))))
          (local.set $kw (i32.add (local.get $kw) (i32.const 1)))
          (br_if $kwl (i32.lt_s (local.get $kw) (local.get $KW))))
        (local.set $kh (i32.add (local.get $kh) (i32.const 1)))
        (br_if $khl (i32.lt_s (local.get $kh) (local.get $KH))))
      (local.set $ci (i32.add (local.get $ci) (i32.const 1)))
      (br_if $cil (i32.lt_s (local.get $ci) (local.get $Cin)))))

  ;; dst[0..n) = src[0..n) (v128 chunks, scalar tail); with add, dst += src.
  (func $copyF (param $dst i32) (param $src i32) (param $n i32) (param $add i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $dst) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $dst) (local.get $end)))
      (v128.store (local.get $dst) (if (result v128) (local.get $add)
        (then (f32x4.add (v128.load (local.get $dst)) (v128.load (local.get $src)))) (else (v128.load (local.get $src)))))
      (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
      (local.set $src (i32.add (local.get $src) (i32.const 16)))
      (br $l)))
    (local.set $end (i32.add (local.get $end) (i32.shl (i32.and (local.get $n) (i32.const 3)) (i32.const 2))))
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $dst) (local.get $end)))
      (f32.store (local.get $dst) (if (result f32) (local.get $add)
        (then (f32.add (f32.load (local.get $dst)) (f32.load (local.get $src)))) (else (f32.load (local.get $src)))))
      (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
      (local.set $src (i32.add (local.get $src) (i32.const 4)))
      (br $l))))

  ;; im2col / col2im (back = 1) of one sample. Stride 1 goes through a zero-padded copy of the image at pad
  ;; (Cin·(H+2p)·(W+2p) floats of scratch): every column row is then one unconditional copy (v128 chunks that may run
  ;; up to 3 floats into the next row, which is written after it, or into the region's slack) instead of bounds checks.
  (func $toCols (param $x i32) (param $cols i32) (param $Cin i32) (param $H i32) (param $W i32) (param $KH i32)
    (param $KW i32) (param $s i32) (param $p i32) (param $OH i32) (param $OW i32) (param $back i32) (param $pad i32)
    (local $Hp i32) (local $Wp i32) (local $ci i32) (local $h i32) (local $kh i32) (local $kw i32) (local $oh i32)
    (local $src i32) (local $dst i32) (local $row i32) (local $end i32) (local $row4 i32) (local $tail i32) (local $mask v128) (local $rs i32)
    (local.set $row4 (i32.shl (i32.and (local.get $OW) (i32.const -4)) (i32.const 2)))
    (local.set $tail (i32.and (local.get $OW) (i32.const 3)))
    (local.set $mask (call $laneMask (local.get $tail)))
    (if (i32.or (i32.ne (local.get $s) (i32.const 1)) (i32.eqz (local.get $pad))) (then
      (call $im2col (local.get $x) (local.get $cols) (local.get $Cin) (local.get $H) (local.get $W) (local.get $KH)
        (local.get $KW) (local.get $s) (local.get $p) (local.get $OH) (local.get $OW) (local.get $back))
      (return)))
    (local.set $Hp (i32.add (local.get $H) (i32.shl (local.get $p) (i32.const 1))))
    (local.set $Wp (i32.add (local.get $W) (i32.shl (local.get $p) (i32.const 1))))
    (memory.fill (local.get $pad) (i32.const 0) (i32.shl (i32.mul (i32.mul (local.get $Cin) (local.get $Hp)) (local.get $Wp)) (i32.const 2)))
    (if (i32.eqz (local.get $back)) (then
      ;; The padded image: row h of channel c -> padded row c·Hp + h + p, from column p.
      (@padRows (call $copyF (local.get $h) (local.get $src) (local.get $W) (i32.const 0)))))
    (local.set $row (i32.shl (local.get $OW) (i32.const 2)))
    (local.set $dst (local.get $cols))
    (local.set $ci (i32.const 0))
    (loop $cil
      (local.set $kh (i32.const 0))
      (loop $khl
        (local.set $kw (i32.const 0))
        (loop $kwl
          (local.set $oh (i32.const 0))
          (local.set $rs (i32.add (local.get $pad) (i32.shl (i32.add (i32.mul (i32.add (i32.mul (local.get $ci) (local.get $Hp))
            (local.get $kh)) (local.get $Wp)) (local.get $kw)) (i32.const 2))))
          (loop $ohl
            (local.set $src (local.get $rs))
            (local.set $rs (i32.add (local.get $rs) (i32.shl (local.get $Wp) (i32.const 2))))
            (if (local.get $back)
              (then
                ;; padded row += column row: whole vectors, then the last 1–3 floats as one vector with the rest of
                ;; its lanes zero (adding 0 to the padded floats after the row, or to the region's slack).
                (local.set $end (i32.add (local.get $dst) (local.get $row4)))
                (local.set $h (local.get $dst))
                (block $ad (loop $al
                  (br_if $ad (i32.ge_u (local.get $h) (local.get $end)))
                  (v128.store (local.get $src) (f32x4.add (v128.load (local.get $src)) (v128.load (local.get $h))))
                  (local.set $h (i32.add (local.get $h) (i32.const 16)))
                  (local.set $src (i32.add (local.get $src) (i32.const 16)))
                  (br $al)))
                (if (local.get $tail) (then
                  (v128.store (local.get $src) (f32x4.add (v128.load (local.get $src)) (v128.and (v128.load (local.get $h)) (local.get $mask)))))))
              (else
                (local.set $end (i32.add (local.get $dst) (local.get $row)))
                (local.set $h (local.get $dst))
                (loop $cp
                  (v128.store (local.get $h) (v128.load (local.get $src)))
                  (local.set $h (i32.add (local.get $h) (i32.const 16)))
                  (local.set $src (i32.add (local.get $src) (i32.const 16)))
                  (br_if $cp (i32.lt_u (local.get $h) (local.get $end))))))
            (local.set $dst (i32.add (local.get $dst) (local.get $row)))
            (local.set $oh (i32.add (local.get $oh) (i32.const 1)))
            (br_if $ohl (i32.lt_s (local.get $oh) (local.get $OH))))
          (local.set $kw (i32.add (local.get $kw) (i32.const 1)))
          (br_if $kwl (i32.lt_s (local.get $kw) (local.get $KW))))
        (local.set $kh (i32.add (local.get $kh) (i32.const 1)))
        (br_if $khl (i32.lt_s (local.get $kh) (local.get $KH))))
      (local.set $ci (i32.add (local.get $ci) (i32.const 1)))
      (br_if $cil (i32.lt_s (local.get $ci) (local.get $Cin))))
    (if (local.get $back) (then
      ;; dx = the padded image's interior (x here is dx).
      (@padRows (call $copyF (local.get $src) (local.get $h) (local.get $W) (i32.const 0))))))

  ;; For every row h of every channel c of x (x = $x, Cin·H rows of W floats): $h = the padded row's first interior
  ;; float (row c·Hp + h + p, column p), $src = x's row; then %body.
  (@define padRows (%body)
    (local.set $src (local.get $x))
    (local.set $h (i32.add (local.get $pad) (i32.shl (i32.mul (i32.add (local.get $Wp) (i32.const 1)) (local.get $p)) (i32.const 2))))
    (local.set $ci (i32.const 0))
    (block $cd (loop $cl
      (br_if $cd (i32.ge_u (local.get $ci) (local.get $Cin)))
      (local.set $end (i32.add (local.get $src) (i32.shl (i32.mul (local.get $H) (local.get $W)) (i32.const 2))))
      (block $rd (loop $rl
        (br_if $rd (i32.ge_u (local.get $src) (local.get $end)))
        %body
        (local.set $src (i32.add (local.get $src) (i32.shl (local.get $W) (i32.const 2))))
        (local.set $h (i32.add (local.get $h) (i32.shl (local.get $Wp) (i32.const 2))))
        (br $rl)))
      ;; past the bottom padding of channel c and the top padding of c + 1
      (local.set $h (i32.add (local.get $h) (i32.shl (i32.mul (i32.shl (local.get $p) (i32.const 1)) (local.get $Wp)) (i32.const 2))))
      (local.set $ci (i32.add (local.get $ci) (i32.const 1)))
      (br $cl))))

  ;; A 1×1, stride-1, unpadded convolution reads x as its columns directly.
  (func $direct (param $KH i32) (param $KW i32) (param $s i32) (param $p i32) (result i32)
    (i32.and (i32.and (i32.eq (local.get $KH) (i32.const 1)) (i32.eq (local.get $KW) (i32.const 1)))
      (i32.and (i32.eq (local.get $s) (i32.const 1)) (i32.eqz (local.get $p)))))

  ;; y = conv(x, w) + b (b 0 = none); cols: Cin·KH·KW·OH·OW floats of scratch, pad: Cin·(H+2p)·(W+2p) (0 = none),
  ;; wp: w packed for gemmP (Cout rounded up to 4, times Cin·KH·KW floats). keep = 1: cols holds N samples' columns,
  ;; each sample's after the previous one's, left there for convBackward (ready = 1).
  (func (export "convForward") (param $x i32) (param $w i32) (param $b i32) (param $y i32) (param $cols i32) (param $pad i32)
    (param $N i32) (param $Cin i32) (param $H i32) (param $W i32) (param $Cout i32) (param $KH i32) (param $KW i32)
    (param $s i32) (param $p i32) (param $OH i32) (param $OW i32) (param $wp i32) (param $keep i32)
    (local $n i32) (local $K i32) (local $P i32) (local $c i32)
    (local.set $K (i32.mul (i32.mul (local.get $Cin) (local.get $KH)) (local.get $KW)))
    (call $packRows (local.get $w) (local.get $Cout) (local.get $K) (local.get $wp))
    (local.set $P (i32.mul (local.get $OH) (local.get $OW)))
    (block $done (loop $nl
      (br_if $done (i32.ge_s (local.get $n) (local.get $N)))
      (local.set $c (local.get $cols))
      (if (call $direct (local.get $KH) (local.get $KW) (local.get $s) (local.get $p))
        (then (local.set $c (local.get $x)))
        (else (call $toCols (local.get $x) (local.get $cols) (local.get $Cin) (local.get $H) (local.get $W) (local.get $KH)
          (local.get $KW) (local.get $s) (local.get $p) (local.get $OH) (local.get $OW) (i32.const 0) (local.get $pad))))
      (call $gemmP (local.get $Cout) (local.get $P) (local.get $K) (local.get $wp) (i32.shl (local.get $K) (i32.const 4)) (i32.const 16)
        (local.get $c) (local.get $y) (local.get $b))
      (local.set $x (i32.add (local.get $x) (i32.shl (i32.mul (i32.mul (local.get $Cin) (local.get $H)) (local.get $W)) (i32.const 2))))
      (local.set $y (i32.add (local.get $y) (i32.shl (i32.mul (local.get $Cout) (local.get $P)) (i32.const 2))))
      (if (local.get $keep) (then (local.set $cols (i32.add (local.get $cols) (i32.shl (i32.mul (local.get $K) (local.get $P)) (i32.const 2))))))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br $nl))))

  ;; out[r] = Σ over `groups` blocks of `rows` rows of `len` floats: Σ_g Σ_t src[(g·rows + r)·len + t].
  (func $rowSums (param $src i32) (param $groups i32) (param $rows i32) (param $len i32) (param $out i32)
    (local $r i32) (local $g i32) (local $t i32) (local $p i32) (local $v v128) (local $s f32) (local $mask v128) (local $n4 i32)
    (local.set $mask (call $laneMask (i32.and (local.get $len) (i32.const 3))))
    (local.set $n4 (i32.and (local.get $len) (i32.const -4)))
    (block $rd (loop $rl
      (br_if $rd (i32.ge_s (local.get $r) (local.get $rows)))
      (local.set $v (v128.const i32x4 0 0 0 0))
      (local.set $g (i32.const 0))
      (block $gd (loop $gl
        (br_if $gd (i32.ge_s (local.get $g) (local.get $groups)))
        (local.set $p (i32.add (local.get $src) (i32.shl (i32.mul (i32.add (i32.mul (local.get $g) (local.get $rows)) (local.get $r))
          (local.get $len)) (i32.const 2))))
        (local.set $t (i32.const 0))
        (block $td (loop $tl
          (br_if $td (i32.ge_s (local.get $t) (local.get $n4)))
          (local.set $v (f32x4.add (local.get $v) (v128.load (local.get $p))))
          (local.set $p (i32.add (local.get $p) (i32.const 16)))
          (local.set $t (i32.add (local.get $t) (i32.const 4)))
          (br $tl)))
        (local.set $v (f32x4.add (local.get $v) (v128.and (v128.load (local.get $p)) (local.get $mask))))
        (local.set $g (i32.add (local.get $g) (i32.const 1)))
        (br $gl)))
      (f32.store (i32.add (local.get $out) (i32.shl (local.get $r) (i32.const 2))) (call $hsum (local.get $v)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rl))))

  ;; dw = Σ_n dy_n · cols_nᵀ, db = Σ dy (0 = none), dx = col2im(wᵀ · dy_n) (0 = none). Scratch: cols holds every
  ;; sample's columns (N·Cin·KH·KW·OH·OW floats), so dw is one product summed over the samples inside each block;
  ;; dcols one sample's (Cin·KH·KW·OH·OW); pad as convForward's. ready = 1: cols already holds them (convForward with keep).
  (func (export "convBackward") (param $x i32) (param $w i32) (param $dy i32) (param $dx i32) (param $dw i32)
    (param $db i32) (param $cols i32) (param $dcols i32) (param $pad i32)
    (param $N i32) (param $Cin i32) (param $H i32) (param $W i32) (param $Cout i32) (param $KH i32) (param $KW i32)
    (param $s i32) (param $p i32) (param $OH i32) (param $OW i32) (param $ready i32)
    (local $n i32) (local $K i32) (local $P i32) (local $c i32) (local $xs i32) (local $direct i32) (local $cs i32) (local $ys i32)
    (local.set $K (i32.mul (i32.mul (local.get $Cin) (local.get $KH)) (local.get $KW)))
    (local.set $P (i32.mul (local.get $OH) (local.get $OW)))
    (local.set $xs (i32.shl (i32.mul (i32.mul (local.get $Cin) (local.get $H)) (local.get $W)) (i32.const 2)))
    (local.set $ys (i32.shl (i32.mul (local.get $Cout) (local.get $P)) (i32.const 2)))
    (local.set $cs (i32.shl (i32.mul (local.get $K) (local.get $P)) (i32.const 2)))
    (local.set $direct (call $direct (local.get $KH) (local.get $KW) (local.get $s) (local.get $p)))
    (if (local.get $db) (then (call $rowSums (local.get $dy) (local.get $N) (local.get $Cout) (local.get $P) (local.get $db))))
    (local.set $c (local.get $x))
    (if (i32.eqz (local.get $direct)) (then
      (local.set $c (local.get $cols))
      (if (local.get $ready) (then (local.set $n (local.get $N))))
      (block $done (loop $nl
        (br_if $done (i32.ge_s (local.get $n) (local.get $N)))
        (call $toCols (i32.add (local.get $x) (i32.mul (local.get $n) (local.get $xs))) (i32.add (local.get $cols) (i32.mul (local.get $n) (local.get $cs)))
          (local.get $Cin) (local.get $H) (local.get $W) (local.get $KH) (local.get $KW) (local.get $s) (local.get $p) (local.get $OH) (local.get $OW) (i32.const 0) (local.get $pad))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $nl)))))
    (call $gemmNT (local.get $Cout) (local.get $K) (local.get $P) (local.get $dy) (local.get $c) (local.get $dw)
      (i32.const 0) (i32.const 0) (local.get $N) (local.get $ys) (local.get $cs))
    (if (i32.eqz (local.get $dx)) (then (return)))
    (local.set $n (i32.const 0))
    (block $done (loop $nl
      (br_if $done (i32.ge_s (local.get $n) (local.get $N)))
      (if (local.get $direct)
        (then (call $gemmP (local.get $K) (local.get $P) (local.get $Cout) (local.get $w) (i32.const 16) (i32.shl (local.get $K) (i32.const 2))
          (local.get $dy) (local.get $dx) (i32.const 0)))
        (else
          (call $gemmP (local.get $K) (local.get $P) (local.get $Cout) (local.get $w) (i32.const 16) (i32.shl (local.get $K) (i32.const 2))
            (local.get $dy) (local.get $dcols) (i32.const 0))
          (memory.fill (local.get $dx) (i32.const 0) (local.get $xs))
          (call $toCols (local.get $dx) (local.get $dcols) (local.get $Cin) (local.get $H) (local.get $W) (local.get $KH)
            (local.get $KW) (local.get $s) (local.get $p) (local.get $OH) (local.get $OW) (i32.const 1) (local.get $pad))))
      (local.set $dx (i32.add (local.get $dx) (local.get $xs)))
      (local.set $dy (i32.add (local.get $dy) (local.get $ys)))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br $nl))))

  ;; y = x·wᵀ + b: x (N, In), w (Out, In), y (N, Out).
  (func (export "linearForward") (param $N i32) (param $In i32) (param $Out i32) (param $x i32) (param $w i32)
    (param $b i32) (param $y i32)
    (call $gemmNT (local.get $N) (local.get $Out) (local.get $In) (local.get $x) (local.get $w) (local.get $y)
      (local.get $b) (i32.const 0) (i32.const 1) (i32.const 0) (i32.const 0)))

  ;; dx = dy·w (0 = none), dw = dyᵀ·x, db = Σ_n dy (0 = none).
  (func (export "linearBackward") (param $N i32) (param $In i32) (param $Out i32) (param $x i32) (param $w i32)
    (param $dy i32) (param $dx i32) (param $dw i32) (param $db i32)
    (local $o i32) (local $n i32) (local $s f32)
    (if (local.get $dx) (then (call $gemmNN (local.get $N) (local.get $In) (local.get $Out) (local.get $dy) (local.get $Out)
      (i32.const 1) (local.get $w) (local.get $dx) (i32.const 0))))
    (call $gemmNN (local.get $Out) (local.get $In) (local.get $N) (local.get $dy) (i32.const 1) (local.get $Out)
      (local.get $x) (local.get $dw) (i32.const 0))
    (if (local.get $db) (then
      (block $od (loop $ol
        (br_if $od (i32.ge_s (local.get $o) (local.get $Out)))
        (local.set $s (f32.const 0))
        (local.set $n (i32.const 0))
        (block $nd (loop $nl
          (br_if $nd (i32.ge_s (local.get $n) (local.get $N)))
          (local.set $s (f32.add (local.get $s) (f32.load (i32.add (local.get $dy)
            (i32.shl (i32.add (i32.mul (local.get $n) (local.get $Out)) (local.get $o)) (i32.const 2))))))
          (local.set $n (i32.add (local.get $n) (i32.const 1)))
          (br $nl)))
        (f32.store (i32.add (local.get $db) (i32.shl (local.get $o) (i32.const 2))) (local.get $s))
        (local.set $o (i32.add (local.get $o) (i32.const 1)))
        (br $ol))))))

  ;; y and argmax (index into the (n, c) plane) of each window: the first maximum in row-major order, a NaN wins.
  (func (export "maxPoolForward") (param $x i32) (param $y i32) (param $am i32) (param $planes i32) (param $H i32)
    (param $W i32) (param $KH i32) (param $KW i32) (param $SH i32) (param $SW i32) (param $OH i32) (param $OW i32)
    (local $pl i32) (local $oh i32) (local $ow i32) (local $kh i32) (local $kw i32) (local $at i32) (local $best i32)
    (local $m f32) (local $v f32) (local $ow4 i32) (local $lanes v128) (local $vm v128) (local $vb v128) (local $vv v128)
    (local $vi v128) (local $mask v128) (local $p i32) (local $k22 i32) (local $a0 v128) (local $a1 v128)
    ;; Four outputs (ow .. ow+3) at a time, branch-free: lane t of a window element is at at + t·SW. The update rule is
    ;; the scalar one (v > max or v is NaN) applied per lane with a select, so every lane keeps PyTorch's argmax.
    (local.set $lanes (i32x4.mul (i32x4.splat (local.get $SW)) (v128.const i32x4 0 1 2 3)))
    (local.set $ow4 (i32.and (local.get $OW) (i32.const -4)))
    (local.set $k22 (i32.and (i32.eq (local.get $KW) (i32.const 2)) (i32.eq (local.get $SW) (i32.const 2))))
    ;; 2×2 windows with stride 2 across also take the last, partial group this way (its extra lanes read at most 6
    ;; floats past a row, inside the next row or the buffer's slack, and are not stored).
    (if (local.get $k22) (then (local.set $ow4 (local.get $OW))))
    (block $pd (loop $pll
      (br_if $pd (i32.ge_s (local.get $pl) (local.get $planes)))
      (local.set $oh (i32.const 0))
      (block $hd (loop $hl
        (br_if $hd (i32.ge_s (local.get $oh) (local.get $OH)))
        (local.set $ow (i32.const 0))
        (block $wd (loop $wl
          (br_if $wd (i32.ge_s (local.get $ow) (local.get $ow4)))
          (local.set $best (i32.add (i32.mul (i32.mul (local.get $oh) (local.get $SH)) (local.get $W)) (i32.mul (local.get $ow) (local.get $SW))))
          (local.set $vb (i32x4.add (i32x4.splat (local.get $best)) (local.get $lanes)))
          (local.set $vm (v128.const f32x4 -inf -inf -inf -inf))
          ;; 2×2 windows with stride 2 across: two loads per window row, even and odd lanes picked by shuffles.
          (local.set $kh (select (i32.const 0) (local.get $KH) (local.get $k22)))
          (local.set $p (i32.add (local.get $x) (i32.shl (local.get $best) (i32.const 2))))
          (local.set $at (local.get $best))
          (block $fd (loop $fl
            (br_if $fd (i32.ge_s (local.get $kh) (local.get $KH)))
            (local.set $a0 (v128.load (local.get $p)))
            (local.set $a1 (v128.load offset=16 (local.get $p)))
            (local.set $vv (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $a0) (local.get $a1)))
            (local.set $mask (v128.or (f32x4.gt (local.get $vv) (local.get $vm)) (f32x4.ne (local.get $vv) (local.get $vv))))
            (local.set $vm (v128.bitselect (local.get $vv) (local.get $vm) (local.get $mask)))
            (local.set $vi (i32x4.add (i32x4.splat (local.get $at)) (local.get $lanes)))
            (local.set $vb (v128.bitselect (local.get $vi) (local.get $vb) (local.get $mask)))
            (local.set $vv (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $a0) (local.get $a1)))
            (local.set $mask (v128.or (f32x4.gt (local.get $vv) (local.get $vm)) (f32x4.ne (local.get $vv) (local.get $vv))))
            (local.set $vm (v128.bitselect (local.get $vv) (local.get $vm) (local.get $mask)))
            (local.set $vi (i32x4.add (local.get $vi) (v128.const i32x4 1 1 1 1)))
            (local.set $vb (v128.bitselect (local.get $vi) (local.get $vb) (local.get $mask)))
            (local.set $p (i32.add (local.get $p) (i32.shl (local.get $W) (i32.const 2))))
            (local.set $at (i32.add (local.get $at) (local.get $W)))
            (local.set $kh (i32.add (local.get $kh) (i32.const 1)))
            (br $fl)))
          (local.set $kh (select (local.get $KH) (i32.const 0) (local.get $k22)))
          (block $khd (loop $khl
            (br_if $khd (i32.ge_s (local.get $kh) (local.get $KH)))
            (local.set $kw (i32.const 0))
            (block $kwd (loop $kwl
              (br_if $kwd (i32.ge_s (local.get $kw) (local.get $KW)))
              (local.set $at (i32.add (local.get $best) (i32.add (i32.mul (local.get $kh) (local.get $W)) (local.get $kw))))
              (local.set $p (i32.add (local.get $x) (i32.shl (local.get $at) (i32.const 2))))
              (if (i32.eq (local.get $SW) (i32.const 2))
                (then (local.set $vv (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27
                  (v128.load (local.get $p)) (v128.load offset=16 (local.get $p)))))
                (else (if (i32.eq (local.get $SW) (i32.const 1))
                  (then (local.set $vv (v128.load (local.get $p))))
                  (else
                    (local.set $vv (f32x4.splat (f32.load (local.get $p))))
                    (local.set $p (i32.add (local.get $p) (i32.shl (local.get $SW) (i32.const 2))))
                    (local.set $vv (f32x4.replace_lane 1 (local.get $vv) (f32.load (local.get $p))))
                    (local.set $p (i32.add (local.get $p) (i32.shl (local.get $SW) (i32.const 2))))
                    (local.set $vv (f32x4.replace_lane 2 (local.get $vv) (f32.load (local.get $p))))
                    (local.set $p (i32.add (local.get $p) (i32.shl (local.get $SW) (i32.const 2))))
                    (local.set $vv (f32x4.replace_lane 3 (local.get $vv) (f32.load (local.get $p))))))))
              (local.set $mask (v128.or (f32x4.gt (local.get $vv) (local.get $vm)) (f32x4.ne (local.get $vv) (local.get $vv))))
              (local.set $vm (v128.bitselect (local.get $vv) (local.get $vm) (local.get $mask)))
              (local.set $vi (i32x4.add (i32x4.splat (local.get $at)) (local.get $lanes)))
              (local.set $vb (v128.bitselect (local.get $vi) (local.get $vb) (local.get $mask)))
              (local.set $kw (i32.add (local.get $kw) (i32.const 1)))
              (br $kwl)))
            (local.set $kh (i32.add (local.get $kh) (i32.const 1)))
            (br $khl)))
          (local.set $at (i32.sub (local.get $OW) (local.get $ow)))
          (if (i32.ge_s (local.get $at) (i32.const 4))
            (then
              (v128.store (local.get $y) (local.get $vm))
              (v128.store (local.get $am) (local.get $vb))
              (local.set $at (i32.const 4)))
            (else
              (call $storeN (local.get $y) (local.get $vm) (local.get $at))
              (call $storeN (local.get $am) (local.get $vb) (local.get $at))))
          (local.set $y (i32.add (local.get $y) (i32.shl (local.get $at) (i32.const 2))))
          (local.set $am (i32.add (local.get $am) (i32.shl (local.get $at) (i32.const 2))))
          (local.set $ow (i32.add (local.get $ow) (local.get $at)))
          (br $wl)))
        ;; The last OW mod 4 outputs one at a time.
        (block $wd (loop $wl
          (br_if $wd (i32.ge_s (local.get $ow) (local.get $OW)))
          (local.set $best (i32.add (i32.mul (i32.mul (local.get $oh) (local.get $SH)) (local.get $W)) (i32.mul (local.get $ow) (local.get $SW))))
          (local.set $m (f32.const -inf))
          (local.set $kh (i32.const 0))
          (block $khd (loop $khl
            (br_if $khd (i32.ge_s (local.get $kh) (local.get $KH)))
            (local.set $kw (i32.const 0))
            (block $kwd (loop $kwl
              (br_if $kwd (i32.ge_s (local.get $kw) (local.get $KW)))
              (local.set $at (i32.add (i32.add (i32.mul (i32.add (i32.mul (local.get $oh) (local.get $SH)) (local.get $kh)) (local.get $W))
                (i32.mul (local.get $ow) (local.get $SW))) (local.get $kw)))
              (local.set $v (f32.load (i32.add (local.get $x) (i32.shl (local.get $at) (i32.const 2)))))
              (if (i32.or (f32.gt (local.get $v) (local.get $m)) (f32.ne (local.get $v) (local.get $v))) (then
                (local.set $m (local.get $v))
                (local.set $best (local.get $at))))
              (local.set $kw (i32.add (local.get $kw) (i32.const 1)))
              (br $kwl)))
            (local.set $kh (i32.add (local.get $kh) (i32.const 1)))
            (br $khl)))
          (f32.store (local.get $y) (local.get $m))
          (i32.store (local.get $am) (local.get $best))
          (local.set $y (i32.add (local.get $y) (i32.const 4)))
          (local.set $am (i32.add (local.get $am) (i32.const 4)))
          (local.set $ow (i32.add (local.get $ow) (i32.const 1)))
          (br $wl)))
        (local.set $oh (i32.add (local.get $oh) (i32.const 1)))
        (br $hl)))
      (local.set $x (i32.add (local.get $x) (i32.shl (i32.mul (local.get $H) (local.get $W)) (i32.const 2))))
      (local.set $pl (i32.add (local.get $pl) (i32.const 1)))
      (br $pll))))

  ;; dx = 0, then dx[plane + argmax] += dy.
  (func (export "maxPoolBackward") (param $dy i32) (param $am i32) (param $dx i32) (param $planes i32) (param $HW i32)
    (param $OHW i32)
    (local $pl i32) (local $t i32) (local $q i32)
    (memory.fill (local.get $dx) (i32.const 0) (i32.shl (i32.mul (local.get $planes) (local.get $HW)) (i32.const 2)))
    (block $pd (loop $pll
      (br_if $pd (i32.ge_s (local.get $pl) (local.get $planes)))
      (local.set $t (i32.const 0))
      (block $td (loop $tl
        (br_if $td (i32.ge_s (local.get $t) (local.get $OHW)))
        (local.set $q (i32.add (local.get $dx) (i32.shl (i32.load (local.get $am)) (i32.const 2))))
        (f32.store (local.get $q) (f32.add (f32.load (local.get $q)) (f32.load (local.get $dy))))
        (local.set $dy (i32.add (local.get $dy) (i32.const 4)))
        (local.set $am (i32.add (local.get $am) (i32.const 4)))
        (local.set $t (i32.add (local.get $t) (i32.const 1)))
        (br $tl)))
      (local.set $dx (i32.add (local.get $dx) (i32.shl (local.get $HW) (i32.const 2))))
      (local.set $pl (i32.add (local.get $pl) (i32.const 1)))
      (br $pll))))
  ;; Normalization in training mode over NCHW planes (one (n, c) plane = HW contiguous floats), sums in float64:
  ;; groups 0 = BatchNorm (set = channel c over every n), else GroupNorm (set = (n, c / (C / groups))).
  (func $setOf (param $n i32) (param $c i32) (param $C i32) (param $G i32) (result i32)
    (if (result i32) (i32.eqz (local.get $G)) (then (local.get $c))
      (else (i32.add (i32.mul (local.get $n) (local.get $G)) (i32.div_u (local.get $c) (i32.div_u (local.get $C) (local.get $G)))))))

  ;; Σ x, or with sq Σ (x − m)², over n floats at p, in float64.
  (func $sum64 (param $p i32) (param $n i32) (param $m f64) (param $sq i32) (result f64)
    (local $end i32) (local $a v128) (local $b v128) (local $d v128) (local $mm v128) (local $s f64) (local $e f64)
    (local.set $mm (f64x2.splat (local.get $m)))
    (local.set $end (i32.add (local.get $p) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (block $d1 (loop $l
      (br_if $d1 (i32.ge_u (local.get $p) (local.get $end)))
      (if (local.get $sq)
        (then
          (local.set $d (f64x2.sub (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $p))) (local.get $mm)))
          (local.set $a (f64x2.add (local.get $a) (f64x2.mul (local.get $d) (local.get $d))))
          (local.set $d (f64x2.sub (f64x2.promote_low_f32x4 (v128.load64_zero offset=8 (local.get $p))) (local.get $mm)))
          (local.set $b (f64x2.add (local.get $b) (f64x2.mul (local.get $d) (local.get $d)))))
        (else
          (local.set $a (f64x2.add (local.get $a) (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $p)))))
          (local.set $b (f64x2.add (local.get $b) (f64x2.promote_low_f32x4 (v128.load64_zero offset=8 (local.get $p)))))))
      (local.set $p (i32.add (local.get $p) (i32.const 16)))
      (br $l)))
    (local.set $a (f64x2.add (local.get $a) (local.get $b)))
    (local.set $s (f64.add (f64x2.extract_lane 0 (local.get $a)) (f64x2.extract_lane 1 (local.get $a))))
    (local.set $end (i32.add (local.get $end) (i32.shl (i32.and (local.get $n) (i32.const 3)) (i32.const 2))))
    (block $d2 (loop $t
      (br_if $d2 (i32.ge_u (local.get $p) (local.get $end)))
      (local.set $e (f64.promote_f32 (f32.load (local.get $p))))
      (if (local.get $sq) (then (local.set $e (f64.sub (local.get $e) (local.get $m))) (local.set $e (f64.mul (local.get $e) (local.get $e)))))
      (local.set $s (f64.add (local.get $s) (local.get $e)))
      (local.set $p (i32.add (local.get $p) (i32.const 4)))
      (br $t)))
    (local.get $s))

  ;; Inline templates (wat-template.mjs): V8 does not inline small functions, and a call per vector costs more than
  ;; the work. lo64 / hi64: the float64 lanes of four floats, (0, 1) and (2, 3); join32: four floats from two float64
  ;; pairs, each rounded once; relu4: x < 0 -> 0 (a NaN compares false and is kept); masked4 / masked1: dy where
  ;; ym > 0, else 0 (ym 0: dy unmasked), the gradient through a ReLU whose output is ym.
  (@define lo64 (%v) (f64x2.promote_low_f32x4 %v))
  (@define hi64 (%v) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 %v %v)))
  (@define join32 (%lo %hi) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
    (f32x4.demote_f64x2_zero %lo) (f32x4.demote_f64x2_zero %hi)))
  (@define relu4 (%v) (v128.andnot %v (f32x4.lt %v (v128.const f32x4 0 0 0 0))))
  (@define masked4 (%dy %ym) (if (result v128) %ym
    (then (v128.and (v128.load %dy) (f32x4.gt (v128.load %ym) (v128.const f32x4 0 0 0 0))))
    (else (v128.load %dy))))
  (@define masked1 (%dy %ym) (if (result f64) (i32.and (i32.ne %ym (i32.const 0)) (i32.eqz (f32.gt (f32.load %ym) (f32.const 0))))
    (then (f64.const 0))
    (else (f64.promote_f32 (f32.load %dy)))))

  ;; y = f32((x − m)·k1 + k3) over n floats (float64 inside, rounded once); relu ≠ 0: then max(y, 0) (ReLU fused).
  (func $normOut (param $x i32) (param $y i32) (param $n i32) (param $m f64) (param $k1 f64) (param $k3 f64) (param $relu i32)
    (local $end i32) (local $v v128) (local $mm v128) (local $v1 v128) (local $v3 v128) (local $r f32)
    (local.set $mm (f64x2.splat (local.get $m)))
    (local.set $v1 (f64x2.splat (local.get $k1)))
    (local.set $v3 (f64x2.splat (local.get $k3)))
    (local.set $end (i32.add (local.get $x) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $x) (local.get $end)))
      (local.set $v (v128.load (local.get $x)))
      (local.set $v (@join32
        (f64x2.add (f64x2.mul (f64x2.sub (@lo64 (local.get $v)) (local.get $mm)) (local.get $v1)) (local.get $v3))
        (f64x2.add (f64x2.mul (f64x2.sub (@hi64 (local.get $v)) (local.get $mm)) (local.get $v1)) (local.get $v3))))
      (if (local.get $relu) (then (local.set $v (@relu4 (local.get $v)))))
      (v128.store (local.get $y) (local.get $v))
      (local.set $x (i32.add (local.get $x) (i32.const 16)))
      (local.set $y (i32.add (local.get $y) (i32.const 16)))
      (br $l)))
    (local.set $end (i32.add (local.get $end) (i32.shl (i32.and (local.get $n) (i32.const 3)) (i32.const 2))))
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $x) (local.get $end)))
      (local.set $r (f32.demote_f64 (f64.add (f64.mul (f64.sub (f64.promote_f32 (f32.load (local.get $x))) (local.get $m)) (local.get $k1)) (local.get $k3))))
      (if (i32.and (local.get $relu) (f32.lt (local.get $r) (f32.const 0))) (then (local.set $r (f32.const 0))))
      (f32.store (local.get $y) (local.get $r))
      (local.set $x (i32.add (local.get $x) (i32.const 4)))
      (local.set $y (i32.add (local.get $y) (i32.const 4)))
      (br $l))))

  ;; dx = f32(k1·dy + (x − m)·k2 + k3) over n floats (float64 inside, rounded once), dy masked by ym as masked4.
  (func $normDx (param $x i32) (param $dy i32) (param $ym i32) (param $dx i32) (param $n i32) (param $m f64) (param $k1 f64)
    (param $k2 f64) (param $k3 f64)
    (local $end i32) (local $v v128) (local $g v128) (local $mm v128) (local $v1 v128) (local $v2 v128) (local $v3 v128)
    (local.set $mm (f64x2.splat (local.get $m)))
    (local.set $v1 (f64x2.splat (local.get $k1)))
    (local.set $v2 (f64x2.splat (local.get $k2)))
    (local.set $v3 (f64x2.splat (local.get $k3)))
    (local.set $end (i32.add (local.get $x) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $x) (local.get $end)))
      (local.set $v (v128.load (local.get $x)))
      (local.set $g (@masked4 (local.get $dy) (local.get $ym)))
      (v128.store (local.get $dx) (@join32
        (f64x2.add (f64x2.add (f64x2.mul (local.get $v1) (@lo64 (local.get $g)))
          (f64x2.mul (f64x2.sub (@lo64 (local.get $v)) (local.get $mm)) (local.get $v2))) (local.get $v3))
        (f64x2.add (f64x2.add (f64x2.mul (local.get $v1) (@hi64 (local.get $g)))
          (f64x2.mul (f64x2.sub (@hi64 (local.get $v)) (local.get $mm)) (local.get $v2))) (local.get $v3))))
      (local.set $x (i32.add (local.get $x) (i32.const 16)))
      (local.set $dy (i32.add (local.get $dy) (i32.const 16)))
      (local.set $dx (i32.add (local.get $dx) (i32.const 16)))
      (if (local.get $ym) (then (local.set $ym (i32.add (local.get $ym) (i32.const 16)))))
      (br $l)))
    (local.set $end (i32.add (local.get $end) (i32.shl (i32.and (local.get $n) (i32.const 3)) (i32.const 2))))
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $x) (local.get $end)))
      (f32.store (local.get $dx) (f32.demote_f64 (f64.add (f64.add (f64.mul (local.get $k1) (@masked1 (local.get $dy) (local.get $ym)))
        (f64.mul (f64.sub (f64.promote_f32 (f32.load (local.get $x))) (local.get $m)) (local.get $k2))) (local.get $k3))))
      (local.set $x (i32.add (local.get $x) (i32.const 4)))
      (local.set $dy (i32.add (local.get $dy) (i32.const 4)))
      (local.set $dx (i32.add (local.get $dx) (i32.const 4)))
      (if (local.get $ym) (then (local.set $ym (i32.add (local.get $ym) (i32.const 4)))))
      (br $l))))

  ;; (Σ dy, Σ dy·(x − m)) over n floats in float64, in one pass; dy masked by ym as masked4.
  (func $sums (param $x i32) (param $dy i32) (param $ym i32) (param $n i32) (param $m f64) (result f64 f64)
    (local $end i32) (local $g v128) (local $v v128) (local $mm v128) (local $a v128) (local $b v128) (local $c v128) (local $e v128)
    (local $sa f64) (local $sb f64) (local $t f64)
    (local.set $mm (f64x2.splat (local.get $m)))
    (local.set $end (i32.add (local.get $x) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $x) (local.get $end)))
      (local.set $v (v128.load (local.get $x)))
      (local.set $g (@masked4 (local.get $dy) (local.get $ym)))
      (local.set $a (f64x2.add (local.get $a) (@lo64 (local.get $g))))
      (local.set $b (f64x2.add (local.get $b) (@hi64 (local.get $g))))
      (local.set $c (f64x2.add (local.get $c) (f64x2.mul (@lo64 (local.get $g)) (f64x2.sub (@lo64 (local.get $v)) (local.get $mm)))))
      (local.set $e (f64x2.add (local.get $e) (f64x2.mul (@hi64 (local.get $g)) (f64x2.sub (@hi64 (local.get $v)) (local.get $mm)))))
      (local.set $x (i32.add (local.get $x) (i32.const 16)))
      (local.set $dy (i32.add (local.get $dy) (i32.const 16)))
      (if (local.get $ym) (then (local.set $ym (i32.add (local.get $ym) (i32.const 16)))))
      (br $l)))
    (local.set $a (f64x2.add (local.get $a) (local.get $b)))
    (local.set $c (f64x2.add (local.get $c) (local.get $e)))
    (local.set $sa (f64.add (f64x2.extract_lane 0 (local.get $a)) (f64x2.extract_lane 1 (local.get $a))))
    (local.set $sb (f64.add (f64x2.extract_lane 0 (local.get $c)) (f64x2.extract_lane 1 (local.get $c))))
    (local.set $end (i32.add (local.get $end) (i32.shl (i32.and (local.get $n) (i32.const 3)) (i32.const 2))))
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $x) (local.get $end)))
      (local.set $t (@masked1 (local.get $dy) (local.get $ym)))
      (local.set $sa (f64.add (local.get $sa) (local.get $t)))
      (local.set $sb (f64.add (local.get $sb) (f64.mul (local.get $t) (f64.sub (f64.promote_f32 (f32.load (local.get $x))) (local.get $m)))))
      (local.set $x (i32.add (local.get $x) (i32.const 4)))
      (local.set $dy (i32.add (local.get $dy) (i32.const 4)))
      (if (local.get $ym) (then (local.set $ym (i32.add (local.get $ym) (i32.const 4)))))
      (br $l)))
    (local.get $sa) (local.get $sb))

  ;; Training-mode forward: per set mean and biased variance (two passes, float64) into mean/var (f64 × sets),
  ;; y = (x − mean)·weight[c]/√(var + eps) + bias[c] (weight, bias 0 = none).
  ;; relu ≠ 0: y = max(that, 0), the following ReLU fused.
  ;; Passes $from..$to of 0: mean, 1: variance (from the mean given), 2: y (from both given). $count > 0: the set's
  ;; element count over every worker of a split batch, so each worker's mean and variance are its share of the sum.
  (func (export "normForward") (param $x i32) (param $y i32) (param $w i32) (param $b i32) (param $mean i32) (param $var i32)
    (param $N i32) (param $C i32) (param $HW i32) (param $G i32) (param $eps f64) (param $relu i32)
    (param $from i32) (param $to i32) (param $count f64)
    (local $n i32) (local $c i32) (local $s i32) (local $sets i32) (local $off i32) (local $at i32) (local $m f64) (local $r f64) (local $cnt f64)
    (local $sc f64) (local $sh f64)
    (local.set $sets (if (result i32) (i32.eqz (local.get $G)) (then (local.get $C)) (else (i32.mul (local.get $N) (local.get $G)))))
    (local.set $cnt (f64.convert_i32_u (i32.div_u (i32.mul (i32.mul (local.get $N) (local.get $C)) (local.get $HW)) (local.get $sets))))
    (if (f64.gt (local.get $count) (f64.const 0)) (then (local.set $cnt (local.get $count))))
    (if (i32.eqz (local.get $from)) (then (memory.fill (local.get $mean) (i32.const 0) (i32.shl (local.get $sets) (i32.const 3)))))
    (if (i32.and (i32.le_u (local.get $from) (i32.const 1)) (i32.ge_u (local.get $to) (i32.const 1)))
      (then (memory.fill (local.get $var) (i32.const 0) (i32.shl (local.get $sets) (i32.const 3)))))
    ;; pass 0: Σx; pass 1: Σ(x − mean)²; pass 2: y.
    (local.set $s (local.get $from))
    (loop $pass
      (local.set $n (i32.const 0))
      (loop $nl
        (local.set $c (i32.const 0))
        (loop $cl
          (local.set $off (i32.shl (local.get $HW) (i32.const 2)))
          (local.set $off (i32.mul (i32.add (i32.mul (local.get $n) (local.get $C)) (local.get $c)) (local.get $off)))
          (local.set $at (i32.shl (call $setOf (local.get $n) (local.get $c) (local.get $C) (local.get $G)) (i32.const 3)))
          (if (i32.eqz (local.get $s))
            (then (f64.store (i32.add (local.get $mean) (local.get $at)) (f64.add (f64.load (i32.add (local.get $mean) (local.get $at)))
              (call $sum64 (i32.add (local.get $x) (local.get $off)) (local.get $HW) (f64.const 0) (i32.const 0)))))
            (else
              (local.set $m (f64.load (i32.add (local.get $mean) (local.get $at))))
              (if (i32.eq (local.get $s) (i32.const 1))
                (then (f64.store (i32.add (local.get $var) (local.get $at)) (f64.add (f64.load (i32.add (local.get $var) (local.get $at)))
                  (call $sum64 (i32.add (local.get $x) (local.get $off)) (local.get $HW) (local.get $m) (i32.const 1)))))
                (else
                  (local.set $r (f64.div (f64.const 1) (f64.sqrt (f64.add (f64.load (i32.add (local.get $var) (local.get $at))) (local.get $eps)))))
                  (local.set $sc (local.get $r))
                  (local.set $sh (f64.const 0))
                  (if (local.get $w) (then (local.set $sc (f64.mul (local.get $r) (f64.promote_f32 (f32.load (i32.add (local.get $w) (i32.shl (local.get $c) (i32.const 2)))))))))
                  (if (local.get $b) (then (local.set $sh (f64.promote_f32 (f32.load (i32.add (local.get $b) (i32.shl (local.get $c) (i32.const 2))))))))
                  (call $normOut (i32.add (local.get $x) (local.get $off)) (i32.add (local.get $y) (local.get $off)) (local.get $HW)
                    (local.get $m) (local.get $sc) (local.get $sh) (local.get $relu))))))
          (local.set $c (i32.add (local.get $c) (i32.const 1)))
          (br_if $cl (i32.lt_u (local.get $c) (local.get $C))))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br_if $nl (i32.lt_u (local.get $n) (local.get $N))))
      ;; Between passes: sums -> means, squares -> variances.
      (local.set $at (i32.const 0))
      (block $fd (loop $fl
        (br_if $fd (i32.ge_u (local.get $at) (i32.shl (local.get $sets) (i32.const 3))))
        (if (i32.eqz (local.get $s)) (then (f64.store (i32.add (local.get $mean) (local.get $at))
          (f64.div (f64.load (i32.add (local.get $mean) (local.get $at))) (local.get $cnt)))))
        (if (i32.eq (local.get $s) (i32.const 1)) (then (f64.store (i32.add (local.get $var) (local.get $at))
          (f64.div (f64.load (i32.add (local.get $var) (local.get $at))) (local.get $cnt)))))
        (local.set $at (i32.add (local.get $at) (i32.const 8)))
        (br $fl)))
      (local.set $s (i32.add (local.get $s) (i32.const 1)))
      (br_if $pass (i32.le_u (local.get $s) (local.get $to)))))

  ;; Training-mode backward from the forward's mean/var: dx, and dweight/dbias (0 = none) per channel. scratch:
  ;; 2·N·C + 2·sets f64. Per plane Sdy = Σdy, Sdx = Σdy·(x − mean); per set A = Σ w·Sdy, B = Σ w·Sdx; then
  ;; dx = w·r·dy − r³·B/M·(x − mean) − r·A/M with r = 1/√(var + eps), M the set's count. ym ≠ 0: dy is the gradient
  ;; of a fused ReLU's output ym (normForward with relu), masked to ym > 0 on the way in.
  ;; $phase bit 1: the sums (scratch, then A and B at scratch + 16·N·C); bit 2: dx, dweight, dbias from them. $count > 0:
  ;; the set's count M over every worker of a split batch (which add up their A and B between the two phases).
  (func (export "normBackward") (param $x i32) (param $dy i32) (param $dx i32) (param $w i32) (param $dw i32) (param $db i32)
    (param $mean i32) (param $var i32) (param $scratch i32) (param $N i32) (param $C i32) (param $HW i32) (param $G i32) (param $eps f64)
    (param $ym i32) (param $phase i32) (param $count f64)
    (local $n i32) (local $c i32) (local $p i32) (local $off i32) (local $at i32) (local $sets i32) (local $set i32) (local $ab i32)
    (local $m f64) (local $r f64) (local $g f64) (local $sdy f64) (local $sdx f64) (local $cnt f64) (local $t f64) (local $u f64)
    (local.set $sets (if (result i32) (i32.eqz (local.get $G)) (then (local.get $C)) (else (i32.mul (local.get $N) (local.get $G)))))
    (local.set $cnt (f64.convert_i32_u (i32.div_u (i32.mul (i32.mul (local.get $N) (local.get $C)) (local.get $HW)) (local.get $sets))))
    (if (f64.gt (local.get $count) (f64.const 0)) (then (local.set $cnt (local.get $count))))
    (local.set $ab (i32.add (local.get $scratch) (i32.shl (i32.mul (local.get $N) (local.get $C)) (i32.const 4))))
    (if (i32.and (local.get $phase) (i32.const 1)) (then
    (memory.fill (local.get $ab) (i32.const 0) (i32.shl (local.get $sets) (i32.const 4)))
    ;; Per-plane sums, per-set A and B.
    (local.set $n (i32.const 0))
    (loop $nl
      (local.set $c (i32.const 0))
      (loop $cl
        (local.set $p (i32.add (i32.mul (local.get $n) (local.get $C)) (local.get $c)))
        (local.set $off (i32.mul (local.get $p) (i32.shl (local.get $HW) (i32.const 2))))
        (local.set $set (call $setOf (local.get $n) (local.get $c) (local.get $C) (local.get $G)))
        (local.set $m (f64.load (i32.add (local.get $mean) (i32.shl (local.get $set) (i32.const 3)))))
        (call $sums (i32.add (local.get $x) (local.get $off)) (i32.add (local.get $dy) (local.get $off))
          (if (result i32) (local.get $ym) (then (i32.add (local.get $ym) (local.get $off))) (else (i32.const 0))) (local.get $HW) (local.get $m))
        (local.set $sdx)
        (local.set $sdy)
        (local.set $g (f64.const 1))
        (if (local.get $w) (then (local.set $g (f64.promote_f32 (f32.load (i32.add (local.get $w) (i32.shl (local.get $c) (i32.const 2))))))))
        (local.set $at (i32.add (local.get $ab) (i32.shl (local.get $set) (i32.const 4))))
        (f64.store (local.get $at) (f64.add (f64.load (local.get $at)) (f64.mul (local.get $g) (local.get $sdy))))
        (f64.store offset=8 (local.get $at) (f64.add (f64.load offset=8 (local.get $at)) (f64.mul (local.get $g) (local.get $sdx))))
        (f64.store (i32.add (local.get $scratch) (i32.shl (local.get $p) (i32.const 4))) (local.get $sdy))
        (f64.store offset=8 (i32.add (local.get $scratch) (i32.shl (local.get $p) (i32.const 4))) (local.get $sdx))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br_if $cl (i32.lt_u (local.get $c) (local.get $C))))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br_if $nl (i32.lt_u (local.get $n) (local.get $N))))))
    (if (i32.eqz (i32.and (local.get $phase) (i32.const 2))) (then (return)))
    ;; dweight[c] = Σ_n r·Sdx, dbias[c] = Σ_n Sdy (float64, rounded once), and dx.
    (local.set $c (i32.const 0))
    (loop $cl2
      (local.set $t (f64.const 0))
      (local.set $u (f64.const 0))
      (local.set $n (i32.const 0))
      (loop $nl2
        (local.set $p (i32.add (i32.mul (local.get $n) (local.get $C)) (local.get $c)))
        (local.set $off (i32.mul (local.get $p) (i32.shl (local.get $HW) (i32.const 2))))
        (local.set $set (call $setOf (local.get $n) (local.get $c) (local.get $C) (local.get $G)))
        (local.set $m (f64.load (i32.add (local.get $mean) (i32.shl (local.get $set) (i32.const 3)))))
        (local.set $r (f64.div (f64.const 1) (f64.sqrt (f64.add (f64.load (i32.add (local.get $var) (i32.shl (local.get $set) (i32.const 3)))) (local.get $eps)))))
        (local.set $sdy (f64.load (i32.add (local.get $scratch) (i32.shl (local.get $p) (i32.const 4)))))
        (local.set $sdx (f64.load offset=8 (i32.add (local.get $scratch) (i32.shl (local.get $p) (i32.const 4)))))
        (local.set $t (f64.add (local.get $t) (f64.mul (local.get $r) (local.get $sdx))))
        (local.set $u (f64.add (local.get $u) (local.get $sdy)))
        (local.set $g (f64.const 1))
        (if (local.get $w) (then (local.set $g (f64.promote_f32 (f32.load (i32.add (local.get $w) (i32.shl (local.get $c) (i32.const 2))))))))
        (local.set $at (i32.add (local.get $ab) (i32.shl (local.get $set) (i32.const 4))))
        (call $normDx (i32.add (local.get $x) (local.get $off)) (i32.add (local.get $dy) (local.get $off))
          (if (result i32) (local.get $ym) (then (i32.add (local.get $ym) (local.get $off))) (else (i32.const 0)))
          (i32.add (local.get $dx) (local.get $off)) (local.get $HW) (local.get $m) (f64.mul (local.get $g) (local.get $r))
          (f64.neg (f64.div (f64.mul (f64.mul (f64.mul (local.get $r) (local.get $r)) (local.get $r)) (f64.load offset=8 (local.get $at))) (local.get $cnt)))
          (f64.neg (f64.div (f64.mul (local.get $r) (f64.load (local.get $at))) (local.get $cnt))))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br_if $nl2 (i32.lt_u (local.get $n) (local.get $N))))
      (if (local.get $dw) (then (f32.store (i32.add (local.get $dw) (i32.shl (local.get $c) (i32.const 2))) (f32.demote_f64 (local.get $t)))))
      (if (local.get $db) (then (f32.store (i32.add (local.get $db) (i32.shl (local.get $c) (i32.const 2))) (f32.demote_f64 (local.get $u)))))
      (local.set $c (i32.add (local.get $c) (i32.const 1)))
      (br_if $cl2 (i32.lt_u (local.get $c) (local.get $C)))))

;; SGD with momentum (no weight decay, no Nesterov) as sgd.ts computes it, so the results are the same to the bit:
  ;; buf = first ? g : f32(m·buf + g) and p = f32(p − lr·buf), float64 inside, over n floats.
  (func (export "sgdMomentum") (param $p i32) (param $g i32) (param $buf i32) (param $n i32) (param $lr f64) (param $m f64) (param $first i32)
    (local $end i32) (local $b v128) (local $v v128) (local $vm v128) (local $vl v128) (local $s f32)
    (local.set $vm (f64x2.splat (local.get $m)))
    (local.set $vl (f64x2.splat (local.get $lr)))
    (local.set $end (i32.add (local.get $p) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $p) (local.get $end)))
      (local.set $b (v128.load (local.get $g)))
      (if (i32.eqz (local.get $first)) (then
        (local.set $v (v128.load (local.get $buf)))
        (local.set $b (@join32
          (f64x2.add (f64x2.mul (local.get $vm) (@lo64 (local.get $v))) (@lo64 (local.get $b)))
          (f64x2.add (f64x2.mul (local.get $vm) (@hi64 (local.get $v))) (@hi64 (local.get $b)))))))
      (v128.store (local.get $buf) (local.get $b))
      (local.set $v (v128.load (local.get $p)))
      (v128.store (local.get $p) (@join32
        (f64x2.sub (@lo64 (local.get $v)) (f64x2.mul (local.get $vl) (@lo64 (local.get $b))))
        (f64x2.sub (@hi64 (local.get $v)) (f64x2.mul (local.get $vl) (@hi64 (local.get $b))))))
      (local.set $p (i32.add (local.get $p) (i32.const 16)))
      (local.set $g (i32.add (local.get $g) (i32.const 16)))
      (local.set $buf (i32.add (local.get $buf) (i32.const 16)))
      (br $l)))
    (local.set $end (i32.add (local.get $end) (i32.shl (i32.and (local.get $n) (i32.const 3)) (i32.const 2))))
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $p) (local.get $end)))
      (local.set $s (f32.load (local.get $g)))
      (if (i32.eqz (local.get $first)) (then
        (local.set $s (f32.demote_f64 (f64.add (f64.mul (local.get $m) (f64.promote_f32 (f32.load (local.get $buf)))) (f64.promote_f32 (local.get $s)))))))
      (f32.store (local.get $buf) (local.get $s))
      (f32.store (local.get $p) (f32.demote_f64 (f64.sub (f64.promote_f32 (f32.load (local.get $p))) (f64.mul (local.get $lr) (f64.promote_f32 (local.get $s))))))
      (local.set $p (i32.add (local.get $p) (i32.const 4)))
      (local.set $g (i32.add (local.get $g) (i32.const 4)))
      (local.set $buf (i32.add (local.get $buf) (i32.const 4)))
      (br $l))))

;; AdaptiveAvgPool2d(1) over planes of S floats: y[p] = f32(Σ x / S) and backward dx[p, :] = f32(dy[p] / S), in
  ;; float64 in the order of the JavaScript loops (pool.ts), so both give the same bits.
  (func (export "meanPoolForward") (param $x i32) (param $y i32) (param $planes i32) (param $S i32)
    (local $end i32) (local $s f64) (local $pe i32)
    (local.set $pe (i32.add (local.get $y) (i32.shl (local.get $planes) (i32.const 2))))
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $y) (local.get $pe)))
      (local.set $end (i32.add (local.get $x) (i32.shl (local.get $S) (i32.const 2))))
      (local.set $s (f64.const 0))
      (block $sd (loop $sl
        (br_if $sd (i32.ge_u (local.get $x) (local.get $end)))
        (local.set $s (f64.add (local.get $s) (f64.promote_f32 (f32.load (local.get $x)))))
        (local.set $x (i32.add (local.get $x) (i32.const 4)))
        (br $sl)))
      (f32.store (local.get $y) (f32.demote_f64 (f64.div (local.get $s) (f64.convert_i32_u (local.get $S)))))
      (local.set $y (i32.add (local.get $y) (i32.const 4)))
      (br $l))))
  (func (export "meanPoolBackward") (param $dy i32) (param $dx i32) (param $planes i32) (param $S i32)
    (local $end i32) (local $g v128) (local $pe i32) (local $e4 i32)
    (local.set $pe (i32.add (local.get $dy) (i32.shl (local.get $planes) (i32.const 2))))
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $dy) (local.get $pe)))
      (local.set $g (f32x4.splat (f32.demote_f64 (f64.div (f64.promote_f32 (f32.load (local.get $dy))) (f64.convert_i32_u (local.get $S))))))
      (local.set $end (i32.add (local.get $dx) (i32.shl (local.get $S) (i32.const 2))))
      (local.set $e4 (i32.add (local.get $dx) (i32.shl (i32.and (local.get $S) (i32.const -4)) (i32.const 2))))
      (block $sd (loop $sl
        (br_if $sd (i32.ge_u (local.get $dx) (local.get $e4)))
        (v128.store (local.get $dx) (local.get $g))
        (local.set $dx (i32.add (local.get $dx) (i32.const 16)))
        (br $sl)))
      (block $sd (loop $sl
        (br_if $sd (i32.ge_u (local.get $dx) (local.get $end)))
        (f32.store (local.get $dx) (f32x4.extract_lane 0 (local.get $g)))
        (local.set $dx (i32.add (local.get $dx) (i32.const 4)))
        (br $sl)))
      (local.set $dy (i32.add (local.get $dy) (i32.const 4)))
      (br $l))))

  ;; y = max(x, 0) (NaN stays NaN, as torch.relu); backward dx = dy where y > 0, else 0.
  (func (export "reluForward") (param $x i32) (param $y i32) (param $n i32)
    (local $end i32) (local $v v128)
    ;; Whole vectors stored directly, then the last 1–3 floats. Lanes with x < 0 become 0: a NaN compares false and is kept.
    (local.set $end (i32.add (local.get $x) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $x) (local.get $end)))
      (local.set $v (v128.load (local.get $x)))
      (v128.store (local.get $y) (v128.andnot (local.get $v) (f32x4.lt (local.get $v) (v128.const f32x4 0 0 0 0))))
      (local.set $x (i32.add (local.get $x) (i32.const 16)))
      (local.set $y (i32.add (local.get $y) (i32.const 16)))
      (br $l)))
    (local.set $end (i32.add (local.get $end) (i32.shl (i32.and (local.get $n) (i32.const 3)) (i32.const 2))))
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $x) (local.get $end)))
      (local.set $v (v128.load (local.get $x)))
      (call $storeN (local.get $y) (v128.andnot (local.get $v) (f32x4.lt (local.get $v) (v128.const f32x4 0 0 0 0)))
        (i32.shr_s (i32.sub (local.get $end) (local.get $x)) (i32.const 2)))
      (local.set $x (i32.add (local.get $x) (i32.const 16)))
      (local.set $y (i32.add (local.get $y) (i32.const 16)))
      (br $l))))
  (func (export "reluBackward") (param $y i32) (param $dy i32) (param $dx i32) (param $n i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $y) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $y) (local.get $end)))
      (v128.store (local.get $dx) (v128.and (v128.load (local.get $dy)) (f32x4.gt (v128.load (local.get $y)) (v128.const f32x4 0 0 0 0))))
      (local.set $y (i32.add (local.get $y) (i32.const 16)))
      (local.set $dy (i32.add (local.get $dy) (i32.const 16)))
      (local.set $dx (i32.add (local.get $dx) (i32.const 16)))
      (br $l)))
    (local.set $end (i32.add (local.get $end) (i32.shl (i32.and (local.get $n) (i32.const 3)) (i32.const 2))))
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $y) (local.get $end)))
      (call $storeN (local.get $dx) (v128.and (v128.load (local.get $dy)) (f32x4.gt (v128.load (local.get $y)) (v128.const f32x4 0 0 0 0)))
        (i32.shr_s (i32.sub (local.get $end) (local.get $y)) (i32.const 2)))
      (local.set $y (i32.add (local.get $y) (i32.const 16)))
      (local.set $dy (i32.add (local.get $dy) (i32.const 16)))
      (local.set $dx (i32.add (local.get $dx) (i32.const 16)))
      (br $l))))
)
