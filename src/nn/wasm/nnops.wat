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
        (local.set $c (i32.const 0))
        (if (i32.gt_s (i32.sub (local.get $N) (local.get $j)) (i32.const 4))
          (then
            ;; 4 × 8
            (local.set $l (local.get $K))
            (block $kdone (loop $kloop
              (br_if $kdone (i32.eqz (local.get $l)))
              (local.set $b0 (v128.load (i32.add (local.get $pb) (local.get $c))))
              (local.set $b1 (v128.load offset=16 (i32.add (local.get $pb) (local.get $c))))
              (local.set $a0 (f32x4.splat (f32.load (local.get $p0))))
              (local.set $a1 (f32x4.splat (f32.load (local.get $p1))))
              (local.set $a2 (f32x4.splat (f32.load (local.get $p2))))
              (local.set $a3 (f32x4.splat (f32.load (local.get $p3))))
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
              (local.set $c (i32.add (local.get $c) (local.get $ldb)))
              (local.set $l (i32.sub (local.get $l) (i32.const 1)))
              (br $kloop))))
          (else
            ;; 4 × 4 (the last 1–4 columns)
            (local.set $l (local.get $K))
            (block $kdone (loop $kloop
              (br_if $kdone (i32.eqz (local.get $l)))
              (local.set $b0 (v128.load (i32.add (local.get $pb) (local.get $c))))
              (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (f32x4.splat (f32.load (local.get $p0))) (local.get $b0))))
              (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (f32x4.splat (f32.load (local.get $p1))) (local.get $b0))))
              (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (f32x4.splat (f32.load (local.get $p2))) (local.get $b0))))
              (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (f32x4.splat (f32.load (local.get $p3))) (local.get $b0))))
              (local.set $p0 (i32.add (local.get $p0) (local.get $sa)))
              (local.set $p1 (i32.add (local.get $p1) (local.get $sa)))
              (local.set $p2 (i32.add (local.get $p2) (local.get $sa)))
              (local.set $p3 (i32.add (local.get $p3) (local.get $sa)))
              (local.set $c (i32.add (local.get $c) (local.get $ldb)))
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

  ;; Lanes 0..n−1 all ones, the rest zero (n in 0..4).
  (func $laneMask (param $n i32) (result v128)
    (i32x4.gt_s (i32x4.splat (local.get $n)) (v128.const i32x4 0 1 2 3)))

  (func $hsum (param $v v128) (result f32)
    (local.set $v (f32x4.add (local.get $v) (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v))))
    (f32.add (f32x4.extract_lane 0 (local.get $v)) (f32x4.extract_lane 1 (local.get $v))))

  ;; C[i·N + j] = (acc ? C[i·N + j] : 0) + (bias ? bias[j] : 0) + Σ_l A[i·L + l] · B[j·L + l]   (i < M, j < N).
  ;; Dot products along l: blocks of 2 rows × 4 columns; the last partial vector of l is masked in both operands.
  (func $gemmNT (export "gemmNT") (param $M i32) (param $N i32) (param $L i32) (param $A i32) (param $B i32)
    (param $C i32) (param $bias i32) (param $acc i32)
    (local $i i32) (local $j i32) (local $l i32) (local $row i32) (local $mask v128) (local $t i32) (local $o i32)
    (local $pa0 i32) (local $pa1 i32) (local $pb0 i32) (local $pb1 i32) (local $pb2 i32) (local $pb3 i32)
    (local $a0 v128) (local $a1 v128) (local $b0 v128) (local $b1 v128) (local $b2 v128) (local $b3 v128)
    (local $c00 v128) (local $c01 v128) (local $c02 v128) (local $c03 v128)
    (local $c10 v128) (local $c11 v128) (local $c12 v128) (local $c13 v128)
    (local $s f32) (local $q i32) (local $jj i32) (local $ii i32)
    (local.set $row (i32.shl (local.get $L) (i32.const 2)))
    (local.set $t (i32.and (local.get $L) (i32.const -4)))
    (local.set $mask (call $laneMask (i32.and (local.get $L) (i32.const 3))))
    (block $idone (loop $iloop
      (br_if $idone (i32.ge_s (local.get $i) (local.get $M)))
      (local.set $j (i32.const 0))
      (block $jdone (loop $jloop
        (br_if $jdone (i32.ge_s (local.get $j) (local.get $N)))
        (local.set $pa0 (i32.add (local.get $A) (i32.mul (local.get $i) (local.get $row))))
        (local.set $pa1 (i32.add (local.get $A) (i32.mul
          (select (i32.add (local.get $i) (i32.const 1)) (local.get $i) (i32.lt_s (i32.add (local.get $i) (i32.const 1)) (local.get $M)))
          (local.get $row))))
        (local.set $q (i32.sub (local.get $N) (i32.const 1)))
        (local.set $pb0 (i32.add (local.get $B) (i32.mul (local.get $j) (local.get $row))))
        (local.set $pb1 (i32.add (local.get $B) (i32.mul
          (select (i32.add (local.get $j) (i32.const 1)) (local.get $q) (i32.lt_s (i32.add (local.get $j) (i32.const 1)) (local.get $N))) (local.get $row))))
        (local.set $pb2 (i32.add (local.get $B) (i32.mul
          (select (i32.add (local.get $j) (i32.const 2)) (local.get $q) (i32.lt_s (i32.add (local.get $j) (i32.const 2)) (local.get $N))) (local.get $row))))
        (local.set $pb3 (i32.add (local.get $B) (i32.mul
          (select (i32.add (local.get $j) (i32.const 3)) (local.get $q) (i32.lt_s (i32.add (local.get $j) (i32.const 3)) (local.get $N))) (local.get $row))))
        (local.set $c00 (v128.const i32x4 0 0 0 0)) (local.set $c01 (local.get $c00))
        (local.set $c02 (local.get $c00)) (local.set $c03 (local.get $c00))
        (local.set $c10 (local.get $c00)) (local.set $c11 (local.get $c00))
        (local.set $c12 (local.get $c00)) (local.set $c13 (local.get $c00))
        (local.set $l (i32.const 0))
        ;; Full vectors, then (at most) one masked partial one.
        (block $ldone (loop $lloop
          (br_if $ldone (i32.gt_s (local.get $l) (local.get $t)))
          (local.set $o (i32.shl (local.get $l) (i32.const 2)))
          (local.set $a0 (v128.load (i32.add (local.get $pa0) (local.get $o))))
          (local.set $a1 (v128.load (i32.add (local.get $pa1) (local.get $o))))
          (local.set $b0 (v128.load (i32.add (local.get $pb0) (local.get $o))))
          (local.set $b1 (v128.load (i32.add (local.get $pb1) (local.get $o))))
          (local.set $b2 (v128.load (i32.add (local.get $pb2) (local.get $o))))
          (local.set $b3 (v128.load (i32.add (local.get $pb3) (local.get $o))))
          (if (i32.eq (local.get $l) (local.get $t)) (then
            (br_if $ldone (i32.eqz (v128.any_true (local.get $mask))))
            (local.set $a0 (v128.and (local.get $a0) (local.get $mask)))
            (local.set $a1 (v128.and (local.get $a1) (local.get $mask)))
            (local.set $b0 (v128.and (local.get $b0) (local.get $mask)))
            (local.set $b1 (v128.and (local.get $b1) (local.get $mask)))
            (local.set $b2 (v128.and (local.get $b2) (local.get $mask)))
            (local.set $b3 (v128.and (local.get $b3) (local.get $mask)))))
          (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $a0) (local.get $b0))))
          (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $a0) (local.get $b1))))
          (local.set $c02 (f32x4.add (local.get $c02) (f32x4.mul (local.get $a0) (local.get $b2))))
          (local.set $c03 (f32x4.add (local.get $c03) (f32x4.mul (local.get $a0) (local.get $b3))))
          (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $a1) (local.get $b0))))
          (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $a1) (local.get $b1))))
          (local.set $c12 (f32x4.add (local.get $c12) (f32x4.mul (local.get $a1) (local.get $b2))))
          (local.set $c13 (f32x4.add (local.get $c13) (f32x4.mul (local.get $a1) (local.get $b3))))
          (local.set $l (i32.add (local.get $l) (i32.const 4)))
          (br $lloop)))
        ;; Store the valid entries of the 2 × 4 block.
        (local.set $ii (i32.const 0))
        (block $sdone (loop $sloop
          (br_if $sdone (i32.or (i32.ge_s (local.get $ii) (i32.const 2))
            (i32.ge_s (i32.add (local.get $i) (local.get $ii)) (local.get $M))))
          (local.set $jj (i32.const 0))
          (block $cdone (loop $cloop
            (br_if $cdone (i32.or (i32.ge_s (local.get $jj) (i32.const 4))
              (i32.ge_s (i32.add (local.get $j) (local.get $jj)) (local.get $N))))
            (local.set $s (call $hsum
              (if (result v128) (local.get $ii)
                (then (select (select (local.get $c10) (local.get $c11) (i32.eqz (local.get $jj)))
                  (select (local.get $c12) (local.get $c13) (i32.eq (local.get $jj) (i32.const 2)))
                  (i32.lt_s (local.get $jj) (i32.const 2))))
                (else (select (select (local.get $c00) (local.get $c01) (i32.eqz (local.get $jj)))
                  (select (local.get $c02) (local.get $c03) (i32.eq (local.get $jj) (i32.const 2)))
                  (i32.lt_s (local.get $jj) (i32.const 2)))))))
            (local.set $o (i32.add (local.get $C) (i32.shl (i32.add (i32.mul (i32.add (local.get $i) (local.get $ii)) (local.get $N))
              (i32.add (local.get $j) (local.get $jj))) (i32.const 2))))
            (if (local.get $bias) (then (local.set $s (f32.add (local.get $s)
              (f32.load (i32.add (local.get $bias) (i32.shl (i32.add (local.get $j) (local.get $jj)) (i32.const 2))))))))
            (if (local.get $acc) (then (local.set $s (f32.add (f32.load (local.get $o)) (local.get $s)))))
            (f32.store (local.get $o) (local.get $s))
            (local.set $jj (i32.add (local.get $jj) (i32.const 1)))
            (br $cloop)))
          (local.set $ii (i32.add (local.get $ii) (i32.const 1)))
          (br $sloop)))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $jloop)))
      (local.set $i (i32.add (local.get $i) (i32.const 2)))
      (br $iloop))))

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

  ;; A 1×1, stride-1, unpadded convolution reads x as its columns directly.
  (func $direct (param $KH i32) (param $KW i32) (param $s i32) (param $p i32) (result i32)
    (i32.and (i32.and (i32.eq (local.get $KH) (i32.const 1)) (i32.eq (local.get $KW) (i32.const 1)))
      (i32.and (i32.eq (local.get $s) (i32.const 1)) (i32.eqz (local.get $p)))))

  ;; y = conv(x, w) + b (b 0 = none); cols: Cin·KH·KW·OH·OW floats of scratch.
  (func (export "convForward") (param $x i32) (param $w i32) (param $b i32) (param $y i32) (param $cols i32)
    (param $N i32) (param $Cin i32) (param $H i32) (param $W i32) (param $Cout i32) (param $KH i32) (param $KW i32)
    (param $s i32) (param $p i32) (param $OH i32) (param $OW i32)
    (local $n i32) (local $K i32) (local $P i32) (local $c i32)
    (local.set $K (i32.mul (i32.mul (local.get $Cin) (local.get $KH)) (local.get $KW)))
    (local.set $P (i32.mul (local.get $OH) (local.get $OW)))
    (block $done (loop $nl
      (br_if $done (i32.ge_s (local.get $n) (local.get $N)))
      (local.set $c (local.get $cols))
      (if (call $direct (local.get $KH) (local.get $KW) (local.get $s) (local.get $p))
        (then (local.set $c (local.get $x)))
        (else (call $im2col (local.get $x) (local.get $cols) (local.get $Cin) (local.get $H) (local.get $W) (local.get $KH)
          (local.get $KW) (local.get $s) (local.get $p) (local.get $OH) (local.get $OW) (i32.const 0))))
      (call $gemmNN (local.get $Cout) (local.get $P) (local.get $K) (local.get $w) (local.get $K) (i32.const 1)
        (local.get $c) (local.get $y) (local.get $b))
      (local.set $x (i32.add (local.get $x) (i32.shl (i32.mul (i32.mul (local.get $Cin) (local.get $H)) (local.get $W)) (i32.const 2))))
      (local.set $y (i32.add (local.get $y) (i32.shl (i32.mul (local.get $Cout) (local.get $P)) (i32.const 2))))
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

  ;; dw = Σ_n dy_n · cols_nᵀ, db = Σ dy (0 = none), dx = col2im(wᵀ · dy_n) (0 = none); cols and dcols: scratch
  ;; of Cin·KH·KW·OH·OW floats each.
  (func (export "convBackward") (param $x i32) (param $w i32) (param $dy i32) (param $dx i32) (param $dw i32)
    (param $db i32) (param $cols i32) (param $dcols i32)
    (param $N i32) (param $Cin i32) (param $H i32) (param $W i32) (param $Cout i32) (param $KH i32) (param $KW i32)
    (param $s i32) (param $p i32) (param $OH i32) (param $OW i32)
    (local $n i32) (local $K i32) (local $P i32) (local $c i32) (local $xs i32) (local $direct i32)
    (local.set $K (i32.mul (i32.mul (local.get $Cin) (local.get $KH)) (local.get $KW)))
    (local.set $P (i32.mul (local.get $OH) (local.get $OW)))
    (local.set $xs (i32.shl (i32.mul (i32.mul (local.get $Cin) (local.get $H)) (local.get $W)) (i32.const 2)))
    (local.set $direct (call $direct (local.get $KH) (local.get $KW) (local.get $s) (local.get $p)))
    (if (local.get $db) (then (call $rowSums (local.get $dy) (local.get $N) (local.get $Cout) (local.get $P) (local.get $db))))
    (block $done (loop $nl
      (br_if $done (i32.ge_s (local.get $n) (local.get $N)))
      (local.set $c (local.get $cols))
      (if (local.get $direct)
        (then (local.set $c (local.get $x)))
        (else (call $im2col (local.get $x) (local.get $cols) (local.get $Cin) (local.get $H) (local.get $W) (local.get $KH)
          (local.get $KW) (local.get $s) (local.get $p) (local.get $OH) (local.get $OW) (i32.const 0))))
      (call $gemmNT (local.get $Cout) (local.get $K) (local.get $P) (local.get $dy) (local.get $c) (local.get $dw)
        (i32.const 0) (i32.ne (local.get $n) (i32.const 0)))
      (if (local.get $dx) (then
        (if (local.get $direct)
          (then (call $gemmNN (local.get $K) (local.get $P) (local.get $Cout) (local.get $w) (i32.const 1) (local.get $K)
            (local.get $dy) (local.get $dx) (i32.const 0)))
          (else
            (call $gemmNN (local.get $K) (local.get $P) (local.get $Cout) (local.get $w) (i32.const 1) (local.get $K)
              (local.get $dy) (local.get $dcols) (i32.const 0))
            (memory.fill (local.get $dx) (i32.const 0) (local.get $xs))
            (call $im2col (local.get $dx) (local.get $dcols) (local.get $Cin) (local.get $H) (local.get $W) (local.get $KH)
              (local.get $KW) (local.get $s) (local.get $p) (local.get $OH) (local.get $OW) (i32.const 1))))
        (local.set $dx (i32.add (local.get $dx) (local.get $xs)))))
      (local.set $x (i32.add (local.get $x) (local.get $xs)))
      (local.set $dy (i32.add (local.get $dy) (i32.shl (i32.mul (local.get $Cout) (local.get $P)) (i32.const 2))))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br $nl))))

  ;; y = x·wᵀ + b: x (N, In), w (Out, In), y (N, Out).
  (func (export "linearForward") (param $N i32) (param $In i32) (param $Out i32) (param $x i32) (param $w i32)
    (param $b i32) (param $y i32)
    (call $gemmNT (local.get $N) (local.get $Out) (local.get $In) (local.get $x) (local.get $w) (local.get $y)
      (local.get $b) (i32.const 0)))

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
    (local $m f32) (local $v f32)
    (block $pd (loop $pll
      (br_if $pd (i32.ge_s (local.get $pl) (local.get $planes)))
      (local.set $oh (i32.const 0))
      (block $hd (loop $hl
        (br_if $hd (i32.ge_s (local.get $oh) (local.get $OH)))
        (local.set $ow (i32.const 0))
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
)
