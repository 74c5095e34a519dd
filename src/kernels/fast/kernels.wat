;; NormLab's WebAssembly SIMD hot loops (`npm run build:wasm` compiles them into wasmModule.ts; do not edit that file).
;; Built twice: with its own memory (one thread, chunks copied in and out), and importing a shared memory
;; (workers over one SharedArrayBuffer that holds x and y, no copies).
;; Pointers are byte offsets into this module's own memory. Data is float32. The two-pass paths ($stats, $statsVec,
;; $apply, $applyVec, $applyAffine) sum and compute y = x·scale + shift in float64 (f64x2), rounded once to float32
;; as the TypeScript reference does, so their output pass is bit-identical to applyScaleShift. The fused path
;; (fusedSets) sums in float32 blocks and writes y in float32 around a split mean: see $stats32 and $apply32.
(module
  (memory (export "memory") 1)

  ;; ---- Templates: loop bodies written once, expanded by scripts/wat-template.mjs before compiling. ----

  ;; The high two f32 lanes of v promoted to f64x2 (promote_low_f32x4 reads only the low two).
  (@define promoteHigh (%v)
    (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 %v %v)))

  ;; Two f64x2 rounded to float32 and packed into one f32x4 (lo in lanes 0-1, hi in lanes 2-3).
  (@define demote2 (%lo %hi)
    (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (f32x4.demote_f64x2_zero %lo) (f32x4.demote_f64x2_zero %hi)))

  ;; dst = f32 of the sum of an f64x2's two lanes.
  (@define sumLanes (%dst %v)
    (local.set %dst (f64.add (f64x2.extract_lane 0 (local.get %v)) (f64x2.extract_lane 1 (local.get %v)))))

  ;; out[0] += $s, out[1] += $q.
  (@define addToOut ()
    (f64.store (local.get $out) (f64.add (f64.load (local.get $out)) (local.get $s)))
    (f64.store offset=8 (local.get $out) (f64.add (f64.load offset=8 (local.get $out)) (local.get $q))))

  (@define bump (%ptr %bytes) (local.set %ptr (i32.add (local.get %ptr) (i32.const %bytes))))

  ;; $s, $q += x - k, (x - k)² in float64 for the one float at p (the scalar tails of the sums).
  (@define sums64x1 (%p)
    (local.set $e (f64.sub (f64.promote_f32 (f32.load (local.get %p))) (local.get $k)))
    (local.set $s (f64.add (local.get $s) (local.get $e)))
    (local.set $q (f64.add (local.get $q) (f64.mul (local.get $e) (local.get $e)))))

  ;; a, q += d, d² for the two floats at p + off, d = x - k in f64x2 ($stats).
  (@define sums64x2 (%off %p %a %q)
    (local.set $d (f64x2.sub (f64x2.promote_low_f32x4 (v128.load64_zero offset=%off (local.get %p))) (local.get $kk)))
    (local.set %a (f64x2.add (local.get %a) (local.get $d)))
    (local.set %q (f64x2.add (local.get %q) (f64x2.mul (local.get $d) (local.get $d)))))

  ;; a, q += d, d² for the four floats at p + off, d = x - k in f32x4 ($stats32 and the functions that inline it).
  (@define sums32x4 (%off %p %a %q)
    (local.set $d (f32x4.sub (v128.load offset=%off (local.get %p)) (local.get $kk)))
    (local.set %a (f32x4.add (local.get %a) (local.get $d)))
    (local.set %q (f32x4.add (local.get %q) (f32x4.mul (local.get $d) (local.get $d)))))

  ;; One block's four f32x4 lane sums added, in float64, to the running f64x2 total acc.
  (@define foldBlock (%a0 %a1 %a2 %a3 %acc)
    (local.set $t (f32x4.add (f32x4.add (local.get %a0) (local.get %a1)) (f32x4.add (local.get %a2) (local.get %a3))))
    (local.set %acc (f64x2.add (local.get %acc) (f64x2.add (f64x2.promote_low_f32x4 (local.get $t)) (@promoteHigh (local.get $t))))))

  ;; $apply32's output for the four floats at src + off -> dst + off.
  (@define apply32x4 (%off %src %dst)
    (v128.store offset=%off (local.get %dst) (f32x4.add (f32x4.mul
      (f32x4.sub (v128.load offset=%off (local.get %src)) (local.get $vh)) (local.get $vs)) (local.get $vb))))

  (@define apply32x1 (%src %dst)
    (f32.store (local.get %dst) (f32.add (f32.mul (f32.sub (f32.load (local.get %src)) (local.get $mhi)) (local.get $sc)) (local.get $b))))

  ;; $applyAffine32's output for the four floats at $xs + off with per-element weight/bias at $wq, $bq.
  (@define applyAffine32x4 (%off)
    (v128.store offset=%off (local.get $yd) (f32x4.add (f32x4.mul
      (f32x4.sub (f32x4.sub (v128.load offset=%off (local.get $xs)) (local.get $vh)) (local.get $vl))
      (f32x4.mul (v128.load offset=%off (local.get $wq)) (local.get $vr)))
      (v128.load offset=%off (local.get $bq)))))

  ;; A function that takes $stats32's sums of n floats at xn (shift k, added to out[0..1]) in blocks of 128 floats:
  ;; four f32x4 accumulators of each kind per block, the block's sums added in float64. `step` is more work done in
  ;; the same loop on the same 16-float stride (the output pass of another set), `tailStep` the same for one float;
  ;; x is the pointer that bounds the loop and `advance` the template that moves every pointer by 64 or 4 bytes.
  (@define sums32Func (%signature %locals %setup %x %xn %step %tailStep %advance)
  (func %signature
    (local $end i32) (local $end16 i32) (local $blk i32) %locals (local $kk v128) (local $d v128) (local $t v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local $q0 v128) (local $q1 v128) (local $q2 v128) (local $q3 v128)
    (local $A v128) (local $Q v128) (local $s f64) (local $q f64) (local $e f64)
    %setup
    (local.set $kk (f32x4.splat (f32.demote_f64 (local.get $k))))
    (local.set $end (i32.add (local.get %x) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $end16 (i32.add (local.get %x) (i32.shl (i32.and (local.get $n) (i32.const -16)) (i32.const 2))))
    (block $done
      (loop $block
        (br_if $done (i32.ge_u (local.get %x) (local.get $end16)))
        (local.set $blk (select (i32.add (local.get %x) (i32.const 512)) (local.get $end16)
          (i32.lt_u (i32.add (local.get %x) (i32.const 512)) (local.get $end16))))
        (local.set $a0 (v128.const i64x2 0 0)) (local.set $a1 (v128.const i64x2 0 0))
        (local.set $a2 (v128.const i64x2 0 0)) (local.set $a3 (v128.const i64x2 0 0))
        (local.set $q0 (v128.const i64x2 0 0)) (local.set $q1 (v128.const i64x2 0 0))
        (local.set $q2 (v128.const i64x2 0 0)) (local.set $q3 (v128.const i64x2 0 0))
        (loop $l
          %step
          (@sums32x4 0 %xn $a0 $q0) (@sums32x4 16 %xn $a1 $q1) (@sums32x4 32 %xn $a2 $q2) (@sums32x4 48 %xn $a3 $q3)
          (@%advance 64)
          (br_if $l (i32.lt_u (local.get %x) (local.get $blk))))
        (@foldBlock $a0 $a1 $a2 $a3 $A)
        (@foldBlock $q0 $q1 $q2 $q3 $Q)
        (br $block)))
    (@sumLanes $s $A)
    (@sumLanes $q $Q)
    (block $tdone
      (loop $t
        (br_if $tdone (i32.ge_u (local.get %x) (local.get $end)))
        %tailStep
        (@sums64x1 %xn)
        (@%advance 4)
        (br $t)))
    (@addToOut)))
  (@define advanceP (%bytes) (@bump $p %bytes))
  (@define advanceApply (%bytes) (@bump $xs %bytes) (@bump $yd %bytes) (@bump $xn %bytes))
  (@define advanceAffine (%bytes) (@bump $xs %bytes) (@bump $yd %bytes) (@bump $wq %bytes) (@bump $bq %bytes) (@bump $xn %bytes))

  ;; out[0] += Σ(x - k), out[1] += Σ(x - k)² over n floats at p (out: 2 f64).
  ;; Shifted sums: with k an element of the set, the cancellation in Σd² - (Σd)²/n stays below n·eps64
  ;; relative to the variance, so the large-offset cases are as exact as the two-pass reference.
  (func $stats (export "stats") (param $p i32) (param $n i32) (param $k f64) (param $out i32)
    (local $end i32) (local $end8 i32) (local $v v128) (local $kk v128) (local $d v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local $q0 v128) (local $q1 v128) (local $q2 v128) (local $q3 v128)
    (local $s f64) (local $q f64) (local $e f64)
    (local.set $kk (f64x2.splat (local.get $k)))
    (local.set $end (i32.add (local.get $p) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $end8 (i32.add (local.get $p) (i32.shl (i32.and (local.get $n) (i32.const -8)) (i32.const 2))))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $p) (local.get $end8)))
        ;; 64-bit loads straight into the low lanes: no shuffle to reach the high half.
        (@sums64x2 0 $p $a0 $q0) (@sums64x2 8 $p $a1 $q1) (@sums64x2 16 $p $a2 $q2) (@sums64x2 24 $p $a3 $q3)
        (@bump $p 32)
        (br $l)))
    (local.set $a0 (f64x2.add (f64x2.add (local.get $a0) (local.get $a1)) (f64x2.add (local.get $a2) (local.get $a3))))
    (local.set $q0 (f64x2.add (f64x2.add (local.get $q0) (local.get $q1)) (f64x2.add (local.get $q2) (local.get $q3))))
    (@sumLanes $s $a0)
    (@sumLanes $q $q0)
    (block $tdone
      (loop $t
        (br_if $tdone (i32.ge_u (local.get $p) (local.get $end)))
        (@sums64x1 $p)
        (@bump $p 4)
        (br $t)))
    (@addToOut))

  ;; The fused path's sums, ~3× faster than $stats: d = x - k and its square in float32 lanes, each lane
  ;; summing 8 terms of a 128-float block before the block's sums are added in float64. The block error stays
  ;; ~8·2^-24 relative, far inside the golden tolerances; fusedSets redoes a set with $stats when the shift was a poor
  ;; one (k far from the mean: cancellation), or when the float32 squares overflowed or underflowed.
  (@sums32Func (@seq $stats32 (param $p i32) (param $n i32) (param $k f64) (param $out i32))
    (@seq) (@seq) $p $p (@seq) (@seq) advanceP)

  ;; dst[i] = f32(x[i]·sc + sh) for n floats (dst may equal src).
  (func $apply (export "apply") (param $src i32) (param $dst i32) (param $n i32) (param $sc f64) (param $sh f64)
    (local $end4 i32) (local $end i32) (local $v v128) (local $vs v128) (local $vh v128)
    (local.set $vs (f64x2.splat (local.get $sc)))
    (local.set $vh (f64x2.splat (local.get $sh)))
    (local.set $end (i32.add (local.get $src) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $end4 (i32.add (local.get $src) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $src) (local.get $end4)))
        (local.set $v (v128.load (local.get $src)))
        (v128.store (local.get $dst) (@demote2
          (f64x2.add (f64x2.mul (f64x2.promote_low_f32x4 (local.get $v)) (local.get $vs)) (local.get $vh))
          (f64x2.add (f64x2.mul (@promoteHigh (local.get $v)) (local.get $vs)) (local.get $vh))))
        (@bump $src 16)
        (@bump $dst 16)
        (br $l)))
    (block $tdone
      (loop $t
        (br_if $tdone (i32.ge_u (local.get $src) (local.get $end)))
        (f32.store (local.get $dst) (f32.demote_f64 (f64.add (f64.mul (f64.promote_f32 (f32.load (local.get $src))) (local.get $sc)) (local.get $sh))))
        (@bump $src 4)
        (@bump $dst 4)
        (br $t))))

  ;; rows × len floats: dst[r, i] = f32(x[r, i]·sc[i] + sh[i]) with sc, sh float64 vectors of len
  ;; (channels-last rows and the precomputed per-channel scale/shift).
  (func $applyVec (export "applyVec") (param $src i32) (param $dst i32) (param $rows i32) (param $len i32) (param $scp i32) (param $shp i32)
    (local $i i32) (local $len4 i32) (local $v v128) (local $o i32)
    (local.set $len4 (i32.and (local.get $len) (i32.const -4)))
    (block $rdone
      (loop $r
        (br_if $rdone (i32.eqz (local.get $rows)))
        (local.set $i (i32.const 0))
        (block $done
          (loop $l
            (br_if $done (i32.ge_u (local.get $i) (local.get $len4)))
            (local.set $v (v128.load (i32.add (local.get $src) (i32.shl (local.get $i) (i32.const 2)))))
            (local.set $o (i32.shl (local.get $i) (i32.const 3)))
            (v128.store (i32.add (local.get $dst) (i32.shl (local.get $i) (i32.const 2)))
              (@demote2
                (f64x2.add
                  (f64x2.mul (f64x2.promote_low_f32x4 (local.get $v)) (v128.load (i32.add (local.get $scp) (local.get $o))))
                  (v128.load (i32.add (local.get $shp) (local.get $o))))
                (f64x2.add
                  (f64x2.mul (@promoteHigh (local.get $v))
                    (v128.load offset=16 (i32.add (local.get $scp) (local.get $o))))
                  (v128.load offset=16 (i32.add (local.get $shp) (local.get $o))))))
            (local.set $i (i32.add (local.get $i) (i32.const 4)))
            (br $l)))
        (block $tdone
          (loop $t
            (br_if $tdone (i32.ge_u (local.get $i) (local.get $len)))
            (local.set $o (i32.shl (local.get $i) (i32.const 3)))
            (f32.store (i32.add (local.get $dst) (i32.shl (local.get $i) (i32.const 2)))
              (f32.demote_f64 (f64.add
                (f64.mul (f64.promote_f32 (f32.load (i32.add (local.get $src) (i32.shl (local.get $i) (i32.const 2)))))
                  (f64.load (i32.add (local.get $scp) (local.get $o))))
                (f64.load (i32.add (local.get $shp) (local.get $o))))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $t)))
        (local.set $src (i32.add (local.get $src) (i32.shl (local.get $len) (i32.const 2))))
        (local.set $dst (i32.add (local.get $dst) (i32.shl (local.get $len) (i32.const 2))))
        (local.set $rows (i32.sub (local.get $rows) (i32.const 1)))
        (br $r))))

  ;; One row of a layer/RMS norm with per-element weight/bias (float64 vectors w, b of n):
  ;; sc = w[i]·r, sh = b[i] - mean·sc, y = x·sc + sh — the reference's fold, element by element, so the full
  ;; N·C scale/shift arrays are never built (they would be 4× the tensor in bytes).
  (func $applyAffine (export "applyAffine") (param $src i32) (param $dst i32) (param $n i32) (param $wp i32) (param $bp i32) (param $mean f64) (param $r f64)
    (local $i i32) (local $n4 i32) (local $v v128) (local $o i32) (local $vr v128) (local $vm v128)
    (local $sc0 v128) (local $sc1 v128) (local $sc f64)
    (local.set $vr (f64x2.splat (local.get $r)))
    (local.set $vm (f64x2.splat (local.get $mean)))
    (local.set $n4 (i32.and (local.get $n) (i32.const -4)))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $i) (local.get $n4)))
        (local.set $v (v128.load (i32.add (local.get $src) (i32.shl (local.get $i) (i32.const 2)))))
        (local.set $o (i32.shl (local.get $i) (i32.const 3)))
        (local.set $sc0 (f64x2.mul (v128.load (i32.add (local.get $wp) (local.get $o))) (local.get $vr)))
        (local.set $sc1 (f64x2.mul (v128.load offset=16 (i32.add (local.get $wp) (local.get $o))) (local.get $vr)))
        (v128.store (i32.add (local.get $dst) (i32.shl (local.get $i) (i32.const 2)))
          (@demote2
            (f64x2.add
              (f64x2.mul (f64x2.promote_low_f32x4 (local.get $v)) (local.get $sc0))
              (f64x2.sub (v128.load (i32.add (local.get $bp) (local.get $o))) (f64x2.mul (local.get $vm) (local.get $sc0))))
            (f64x2.add
              (f64x2.mul (@promoteHigh (local.get $v)) (local.get $sc1))
              (f64x2.sub (v128.load offset=16 (i32.add (local.get $bp) (local.get $o))) (f64x2.mul (local.get $vm) (local.get $sc1))))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $l)))
    (block $tdone
      (loop $t
        (br_if $tdone (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $o (i32.shl (local.get $i) (i32.const 3)))
        (local.set $sc (f64.mul (f64.load (i32.add (local.get $wp) (local.get $o))) (local.get $r)))
        (f32.store (i32.add (local.get $dst) (i32.shl (local.get $i) (i32.const 2)))
          (f32.demote_f64 (f64.add
            (f64.mul (f64.promote_f32 (f32.load (i32.add (local.get $src) (i32.shl (local.get $i) (i32.const 2))))) (local.get $sc))
            (f64.sub (f64.load (i32.add (local.get $bp) (local.get $o))) (f64.mul (local.get $mean) (local.get $sc))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $t))))

  ;; histogram() for n floats at p: the same float64 arithmetic as kernels/summary.ts (bin = floor((x − lo)·scale),
  ;; last bin closed, then corrected against the edges as numpy compares with them), counts as f64 at countsp.
  ;; Values outside [edges[0], edges[bins]] and NaN are skipped.
  (func (export "hist32") (param $p i32) (param $n i32) (param $bins i32) (param $edgesp i32) (param $countsp i32)
    (local $end i32) (local $v f64) (local $lo f64) (local $hi f64) (local $scale f64) (local $b i32) (local $last i32) (local $at i32)
    (local.set $last (i32.sub (local.get $bins) (i32.const 1)))
    (local.set $lo (f64.load (local.get $edgesp)))
    (local.set $hi (f64.load (i32.add (local.get $edgesp) (i32.shl (local.get $bins) (i32.const 3)))))
    (local.set $scale (f64.div (f64.convert_i32_u (local.get $bins)) (f64.sub (local.get $hi) (local.get $lo))))
    (local.set $end (i32.add (local.get $p) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $v (f64.promote_f32 (f32.load (local.get $p))))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        ;; !(v >= lo && v <= hi): out of range or NaN
        (br_if $l (i32.eqz (i32.and (f64.ge (local.get $v) (local.get $lo)) (f64.le (local.get $v) (local.get $hi)))))
        (local.set $b (i32.trunc_sat_f64_s (f64.floor (f64.mul (f64.sub (local.get $v) (local.get $lo)) (local.get $scale)))))
        (if (i32.gt_s (local.get $b) (local.get $last)) (then (local.set $b (local.get $last))))
        (if (i32.and (i32.gt_s (local.get $b) (i32.const 0))
              (f64.lt (local.get $v) (f64.load (i32.add (local.get $edgesp) (i32.shl (local.get $b) (i32.const 3))))))
          (then (local.set $b (i32.sub (local.get $b) (i32.const 1))))
          (else
            (if (i32.and (i32.lt_s (local.get $b) (local.get $last))
                  (f64.ge (local.get $v) (f64.load offset=8 (i32.add (local.get $edgesp) (i32.shl (local.get $b) (i32.const 3))))))
              (then (local.set $b (i32.add (local.get $b) (i32.const 1)))))))
        (local.set $at (i32.add (local.get $countsp) (i32.shl (local.get $b) (i32.const 3))))
        (f64.store (local.get $at) (f64.add (f64.load (local.get $at)) (f64.const 1)))
        (br $l))))

  ;; Summary of n floats at p for kernels/summary.ts, over the finite values only, added to out (f64 × 6):
  ;; [count, Σ(x−k), Σ(x−k)², min, max, NaN count] with k a finite value of the data (shifted sums in float64 lanes,
  ;; like the JavaScript path: with k one of the values, cancellation costs at most a factor n+1).
  ;; Non-finite lanes are masked out of the sums and replaced by ±Inf for min/max; ±Inf count = n − count − NaNs.
  (func (export "summary32") (param $p i32) (param $n i32) (param $k f32) (param $out i32)
    (local $end i32) (local $end4 i32) (local $v v128) (local $fin v128) (local $d v128) (local $kk v128)
    (local $cnt v128) (local $nan v128) (local $lo v128) (local $hi v128) (local $s v128) (local $q v128) (local $e v128)
    (local $x f32) (local $c f64) (local $nn f64) (local $ss f64) (local $qq f64) (local $l f32) (local $h f32) (local $t f64)
    (local $k2 v128)
    (local.set $kk (f32x4.splat (local.get $k)))
    (local.set $k2 (f64x2.splat (f64.promote_f32 (local.get $k))))
    (local.set $lo (f32x4.splat (f32.const inf)))
    (local.set $hi (f32x4.splat (f32.const -inf)))
    (local.set $end (i32.add (local.get $p) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $end4 (i32.add (local.get $p) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $p) (local.get $end4)))
        (local.set $v (v128.load (local.get $p)))
        ;; finite <=> v - v == 0 (NaN and ±Inf give NaN)
        (local.set $fin (f32x4.eq (f32x4.sub (local.get $v) (local.get $v)) (v128.const i32x4 0 0 0 0)))
        (local.set $cnt (i32x4.sub (local.get $cnt) (local.get $fin)))
        (local.set $nan (i32x4.sub (local.get $nan) (f32x4.ne (local.get $v) (local.get $v))))
        ;; Non-finite lanes become k, which adds nothing; x − k in float64 (exact for float32 x).
        (local.set $d (v128.bitselect (local.get $v) (local.get $kk) (local.get $fin)))
        (local.set $e (f64x2.sub (f64x2.promote_low_f32x4 (local.get $d)) (local.get $k2)))
        (local.set $s (f64x2.add (local.get $s) (local.get $e)))
        (local.set $q (f64x2.add (local.get $q) (f64x2.mul (local.get $e) (local.get $e))))
        (local.set $e (f64x2.sub (@promoteHigh (local.get $d)) (local.get $k2)))
        (local.set $s (f64x2.add (local.get $s) (local.get $e)))
        (local.set $q (f64x2.add (local.get $q) (f64x2.mul (local.get $e) (local.get $e))))
        (local.set $lo (f32x4.pmin (local.get $lo) (v128.bitselect (local.get $v) (f32x4.splat (f32.const inf)) (local.get $fin))))
        (local.set $hi (f32x4.pmax (local.get $hi) (v128.bitselect (local.get $v) (f32x4.splat (f32.const -inf)) (local.get $fin))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $l)))
    (local.set $c (f64.convert_i32_u (i32.add (i32.add (i32x4.extract_lane 0 (local.get $cnt)) (i32x4.extract_lane 1 (local.get $cnt)))
      (i32.add (i32x4.extract_lane 2 (local.get $cnt)) (i32x4.extract_lane 3 (local.get $cnt))))))
    (local.set $nn (f64.convert_i32_u (i32.add (i32.add (i32x4.extract_lane 0 (local.get $nan)) (i32x4.extract_lane 1 (local.get $nan)))
      (i32.add (i32x4.extract_lane 2 (local.get $nan)) (i32x4.extract_lane 3 (local.get $nan))))))
    (@sumLanes $ss $s)
    (@sumLanes $qq $q)
    (local.set $l (f32.min (f32.min (f32x4.extract_lane 0 (local.get $lo)) (f32x4.extract_lane 1 (local.get $lo)))
      (f32.min (f32x4.extract_lane 2 (local.get $lo)) (f32x4.extract_lane 3 (local.get $lo)))))
    (local.set $h (f32.max (f32.max (f32x4.extract_lane 0 (local.get $hi)) (f32x4.extract_lane 1 (local.get $hi)))
      (f32.max (f32x4.extract_lane 2 (local.get $hi)) (f32x4.extract_lane 3 (local.get $hi)))))
    (block $tdone
      (loop $t
        (br_if $tdone (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $x (f32.load (local.get $p)))
        (if (f32.eq (f32.sub (local.get $x) (local.get $x)) (f32.const 0))
          (then
            (local.set $c (f64.add (local.get $c) (f64.const 1)))
            (local.set $t (f64.sub (f64.promote_f32 (local.get $x)) (f64.promote_f32 (local.get $k))))
            (local.set $ss (f64.add (local.get $ss) (local.get $t)))
            (local.set $qq (f64.add (local.get $qq) (f64.mul (local.get $t) (local.get $t))))
            (local.set $l (f32.min (local.get $l) (local.get $x)))
            (local.set $h (f32.max (local.get $h) (local.get $x))))
          (else
            (if (f32.ne (local.get $x) (local.get $x)) (then (local.set $nn (f64.add (local.get $nn) (f64.const 1)))))))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (br $t)))
    (f64.store (local.get $out) (f64.add (f64.load (local.get $out)) (local.get $c)))
    (f64.store offset=8 (local.get $out) (f64.add (f64.load offset=8 (local.get $out)) (local.get $ss)))
    (f64.store offset=16 (local.get $out) (f64.add (f64.load offset=16 (local.get $out)) (local.get $qq)))
    (f64.store offset=24 (local.get $out) (f64.min (f64.load offset=24 (local.get $out)) (f64.promote_f32 (local.get $l))))
    (f64.store offset=32 (local.get $out) (f64.max (f64.load offset=32 (local.get $out)) (f64.promote_f32 (local.get $h))))
    (f64.store offset=40 (local.get $out) (f64.add (f64.load offset=40 (local.get $out)) (local.get $nn))))

  ;; Channels-last moments: rows × len floats at p; acc[c] += x - k[c], acc[len + c] += (x - k[c])²
  ;; (k, acc: float64 vectors). One pass over memory with per-channel accumulators in L1.
  (func (export "statsVec") (param $p i32) (param $rows i32) (param $len i32) (param $kp i32) (param $accp i32)
    (local $i i32) (local $len2 i32) (local $o i32) (local $d v128) (local $e f64) (local $a i32) (local $q i32)
    (local.set $len2 (i32.and (local.get $len) (i32.const -2)))
    (block $rdone
      (loop $r
        (br_if $rdone (i32.eqz (local.get $rows)))
        (local.set $i (i32.const 0))
        (block $done
          (loop $l
            (br_if $done (i32.ge_u (local.get $i) (local.get $len2)))
            (local.set $o (i32.shl (local.get $i) (i32.const 3)))
            (local.set $a (i32.add (local.get $accp) (local.get $o)))
            (local.set $q (i32.add (local.get $a) (i32.shl (local.get $len) (i32.const 3))))
            (local.set $d (f64x2.sub
              (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $p) (i32.shl (local.get $i) (i32.const 2)))))
              (v128.load (i32.add (local.get $kp) (local.get $o)))))
            (v128.store (local.get $a) (f64x2.add (v128.load (local.get $a)) (local.get $d)))
            (v128.store (local.get $q) (f64x2.add (v128.load (local.get $q)) (f64x2.mul (local.get $d) (local.get $d))))
            (local.set $i (i32.add (local.get $i) (i32.const 2)))
            (br $l)))
        (if (i32.lt_u (local.get $i) (local.get $len))
          (then
            (local.set $o (i32.shl (local.get $i) (i32.const 3)))
            (local.set $a (i32.add (local.get $accp) (local.get $o)))
            (local.set $q (i32.add (local.get $a) (i32.shl (local.get $len) (i32.const 3))))
            (local.set $e (f64.sub (f64.promote_f32 (f32.load (i32.add (local.get $p) (i32.shl (local.get $i) (i32.const 2)))))
              (f64.load (i32.add (local.get $kp) (local.get $o)))))
            (f64.store (local.get $a) (f64.add (f64.load (local.get $a)) (local.get $e)))
            (f64.store (local.get $q) (f64.add (f64.load (local.get $q)) (f64.mul (local.get $e) (local.get $e))))))
        (local.set $p (i32.add (local.get $p) (i32.shl (local.get $len) (i32.const 2))))
        (local.set $rows (i32.sub (local.get $rows) (i32.const 1)))
        (br $r))))

  ;; float32 output pass of the fused path: y = (x - mhi)·sc + b' where mean = mhi + mlo is split in two floats and
  ;; b' = b - mlo·sc, so x - mhi is exact near the mean (Sterbenz) and the large-offset cases keep their digits;
  ;; ~3 ulp of |y| error against the float64 pass. 16 floats per iteration (loop overhead is most of a short loop's cost).
  (func $apply32 (param $src i32) (param $dst i32) (param $n i32) (param $mhi f32) (param $sc f32) (param $b f32)
    (local $end i32) (local $end16 i32) (local $vh v128) (local $vs v128) (local $vb v128)
    (local.set $vh (f32x4.splat (local.get $mhi)))
    (local.set $vs (f32x4.splat (local.get $sc)))
    (local.set $vb (f32x4.splat (local.get $b)))
    (local.set $end (i32.add (local.get $src) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $end16 (i32.add (local.get $src) (i32.shl (i32.and (local.get $n) (i32.const -16)) (i32.const 2))))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $src) (local.get $end16)))
        (@apply32x4 0 $src $dst) (@apply32x4 16 $src $dst) (@apply32x4 32 $src $dst) (@apply32x4 48 $src $dst)
        (@bump $src 64)
        (@bump $dst 64)
        (br $l)))
    (block $tdone
      (loop $t
        (br_if $tdone (i32.ge_u (local.get $src) (local.get $end)))
        (@apply32x1 $src $dst)
        (@bump $src 4)
        (@bump $dst 4)
        (br $t))))

  ;; Same with per-element float32 weight/bias (LayerNorm/RMSNorm rows): sc = w[i]·r.
  (func $applyAffine32 (param $src i32) (param $dst i32) (param $n i32) (param $wp i32) (param $bp i32) (param $mhi f32) (param $mlo f32) (param $r f32)
    (local $i i32) (local $n4 i32) (local $o i32) (local $vh v128) (local $vl v128) (local $vr v128)
    (local.set $vh (f32x4.splat (local.get $mhi)))
    (local.set $vl (f32x4.splat (local.get $mlo)))
    (local.set $vr (f32x4.splat (local.get $r)))
    (local.set $n4 (i32.and (local.get $n) (i32.const -4)))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $i) (local.get $n4)))
        (local.set $o (i32.shl (local.get $i) (i32.const 2)))
        (v128.store (i32.add (local.get $dst) (local.get $o)) (f32x4.add (f32x4.mul
          (f32x4.sub (f32x4.sub (v128.load (i32.add (local.get $src) (local.get $o))) (local.get $vh)) (local.get $vl))
          (f32x4.mul (v128.load (i32.add (local.get $wp) (local.get $o))) (local.get $vr)))
          (v128.load (i32.add (local.get $bp) (local.get $o)))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $l)))
    (block $tdone
      (loop $t
        (br_if $tdone (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $o (i32.shl (local.get $i) (i32.const 2)))
        (f32.store (i32.add (local.get $dst) (local.get $o)) (f32.add (f32.mul
          (f32.sub (f32.sub (f32.load (i32.add (local.get $src) (local.get $o))) (local.get $mhi)) (local.get $mlo))
          (f32.mul (f32.load (i32.add (local.get $wp) (local.get $o))) (local.get $r)))
          (f32.load (i32.add (local.get $bp) (local.get $o)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $t))))

  ;; $apply32 over n floats at src -> dst and, in the same loop, $stats32's sums of the next set's n floats at xn
  ;; (added to out[0..1]): the fused path's output pass of one set overlaps the sums of the next, so main memory sees
  ;; the reads of x and the writes of y at the same time instead of in turns (as a copy does).
  (@sums32Func
    (@seq $applyStats32 (param $xs i32) (param $yd i32) (param $n i32) (param $mhi f32) (param $sc f32) (param $b f32)
      (param $xn i32) (param $k f64) (param $out i32))
    (@seq (local $vh v128) (local $vs v128) (local $vb v128))
    (@seq
      (local.set $vh (f32x4.splat (local.get $mhi)))
      (local.set $vs (f32x4.splat (local.get $sc)))
      (local.set $vb (f32x4.splat (local.get $b))))
    $xs $xn
    (@seq (@apply32x4 0 $xs $yd) (@apply32x4 16 $xs $yd) (@apply32x4 32 $xs $yd) (@apply32x4 48 $xs $yd))
    (@apply32x1 $xs $yd)
    advanceApply)

  ;; $applyAffine32 over n floats at src -> dst with, in the same loop, $stats32's sums of the next row's n floats at
  ;; xn (LayerNorm/RMSNorm rows; see $applyStats32).
  (@sums32Func
    (@seq $applyAffineStats32 (param $xs i32) (param $yd i32) (param $n i32) (param $wq i32) (param $bq i32)
      (param $mhi f32) (param $mlo f32) (param $r f32) (param $xn i32) (param $k f64) (param $out i32))
    (@seq (local $vh v128) (local $vl v128) (local $vr v128))
    (@seq
      (local.set $vh (f32x4.splat (local.get $mhi)))
      (local.set $vl (f32x4.splat (local.get $mlo)))
      (local.set $vr (f32x4.splat (local.get $r))))
    $xs $xn
    (@seq (@applyAffine32x4 0) (@applyAffine32x4 16) (@applyAffine32x4 32) (@applyAffine32x4 48))
    (f32.store (local.get $yd) (f32.add (f32.mul
      (f32.sub (f32.sub (f32.load (local.get $xs)) (local.get $mhi)) (local.get $mlo))
      (f32.mul (f32.load (local.get $wq)) (local.get $r)))
      (f32.load (local.get $bq))))
    advanceAffine)

  ;; Shifted sums of one set (`runs` runs of L floats, `stride` bytes apart) into out[0..1], zeroed first; $stats32
  ;; when f32 is set, else $stats. out doubles as the sums' scratch: no fixed address, so workers share one memory.
  (func $setSums (param $p i32) (param $L i32) (param $runs i32) (param $stride i32) (param $k f64) (param $out i32) (param $f32 i32)
    (f64.store (local.get $out) (f64.const 0))
    (f64.store offset=8 (local.get $out) (f64.const 0))
    (block $done
      (loop $run
        (br_if $done (i32.eqz (local.get $runs)))
        (if (local.get $f32)
          (then (call $stats32 (local.get $p) (local.get $L) (local.get $k) (local.get $out)))
          (else (call $stats (local.get $p) (local.get $L) (local.get $k) (local.get $out))))
        (local.set $p (i32.add (local.get $p) (local.get $stride)))
        (local.set $runs (i32.sub (local.get $runs) (i32.const 1)))
        (br $run))))

  ;; The fused path for nsets consecutive sets normalized by their own statistics (GroupNorm, InstanceNorm, LayerNorm,
  ;; RMSNorm, BatchNorm in training). A set is `runs` runs of cpg·S floats, `stride` bytes apart (1 run except for
  ;; BatchNorm, whose channel c has one run per sample); the next set starts right after the first run.
  ;; Per set: shifted sums (k = its first element), mean and biased var (stored at statp, 2 f64 per set), then
  ;; y = ((x - mhi) - mlo)·(w[c]·r) + b[c] at dst (same layout as p; may be p) with w, b float32 per channel
  ;; (ones/zeros when absent). One call for many sets, so there is no per-set call from JS; while a set is being
  ;; written it is still in cache from its sums. g is the group of the first set.
  (func (export "fusedSets") (param $p i32) (param $dst i32) (param $nsets i32) (param $cpg i32) (param $S i32)
    (param $runs i32) (param $stride i32) (param $g i32) (param $groups i32)
    (param $wp i32) (param $bp i32) (param $eps f64) (param $centered i32) (param $statp i32)
    (local $L i32) (local $n f64) (local $k f64) (local $s1 f64) (local $s2 f64) (local $mean f64) (local $v f64)
    (local $m f64) (local $r f64) (local $j i32) (local $c i32) (local $mhi f32) (local $mlo f32)
    (local $run i32) (local $rp i32) (local $rd i32) (local $r32 f32) (local $sc f64)
    (local $pipe i32) (local $next i32) (local $kn f64) (local $sc32 f32) (local $b32 f32) (local $o i32)
    (local.set $L (i32.mul (local.get $cpg) (local.get $S)))
    (local.set $n (f64.convert_i32_u (i32.mul (local.get $L) (local.get $runs))))
    (local.set $next (i32.shl (local.get $L) (i32.const 2)))
    ;; The first set's sums; every later set's are taken while the set before it is written (or right after).
    (if (local.get $nsets)
      (then (call $setSums (local.get $p) (local.get $L) (local.get $runs) (local.get $stride)
        (f64.promote_f32 (f32.load (local.get $p))) (local.get $statp) (i32.const 1))))
    (block $done
      (loop $set
        (br_if $done (i32.eqz (local.get $nsets)))
        (local.set $k (f64.promote_f32 (f32.load (local.get $p))))
        (local.set $s1 (f64.load (local.get $statp)))
        (local.set $s2 (f64.load offset=8 (local.get $statp)))
        ;; Float32 sums are trusted only when Σd² is at most 16× the centred sum of squares (cancellation loses at
        ;; most 4 bits) and its squares neither overflowed nor underflowed; else the set's sums are redone in float64
        ;; around the mean just found. Constant sets (Σd² = 0) take that path too: it is exact for them.
        (if (i32.or
              (i32.eqz (f64.le (local.get $s2) (f64.mul (f64.const 16)
                (f64.sub (local.get $s2) (f64.div (f64.mul (local.get $s1) (local.get $s1)) (local.get $n))))))
              (i32.or (f64.eq (local.get $s2) (f64.const inf))
                (f64.lt (local.get $s2) (f64.mul (local.get $n) (f64.const 0x1p-100)))))
          (then
            ;; The mean estimate as the new shift, unless the float32 sums overflowed (then keep the first element).
            (local.set $mean (f64.add (local.get $k) (f64.div (local.get $s1) (local.get $n))))
            (if (f64.eq (f64.sub (local.get $mean) (local.get $mean)) (f64.const 0)) (then (local.set $k (local.get $mean))))
            (call $setSums (local.get $p) (local.get $L) (local.get $runs) (local.get $stride) (local.get $k) (local.get $statp) (i32.const 0))
            (local.set $s1 (f64.load (local.get $statp)))
            (local.set $s2 (f64.load offset=8 (local.get $statp)))))
        (local.set $mean (f64.add (local.get $k) (f64.div (local.get $s1) (local.get $n))))
        (local.set $v (f64.max (f64.const 0)
          (f64.div (f64.sub (local.get $s2) (f64.div (f64.mul (local.get $s1) (local.get $s1)) (local.get $n))) (local.get $n))))
        (f64.store (local.get $statp) (local.get $mean))
        (f64.store offset=8 (local.get $statp) (local.get $v))
        (if (local.get $centered)
          (then
            (local.set $m (local.get $mean))
            (local.set $r (f64.div (f64.const 1) (f64.sqrt (f64.add (local.get $v) (local.get $eps))))))
          (else
            ;; RMS: mean(x²) = var + mean², no mean subtraction.
            (local.set $m (f64.const 0))
            (local.set $r (f64.div (f64.const 1) (f64.sqrt (f64.add
              (f64.add (local.get $v) (f64.mul (local.get $mean) (local.get $mean))) (local.get $eps)))))))
        (local.set $mhi (f32.demote_f64 (local.get $m)))
        (local.set $mlo (f32.demote_f64 (f64.sub (local.get $m) (f64.promote_f32 (local.get $mhi)))))
        (local.set $r32 (f32.demote_f64 (local.get $r)))
        ;; Runs of at least 256 floats with one scale (a channel; a whole row when S = 1): the next set's sums ride
        ;; along with this set's output pass.
        (local.set $pipe (i32.and (i32.gt_u (local.get $nsets) (i32.const 1))
          (i32.ge_u (select (local.get $L) (local.get $S) (i32.eq (local.get $S) (i32.const 1))) (i32.const 256))))
        ;; Only when there is a next set in this call: past the last one lie another part's statistics.
        (if (i32.gt_u (local.get $nsets) (i32.const 1))
          (then
            (local.set $kn (f64.promote_f32 (f32.load (i32.add (local.get $p) (local.get $next)))))
            (f64.store offset=16 (local.get $statp) (f64.const 0))
            (f64.store offset=24 (local.get $statp) (f64.const 0))))
        (local.set $run (i32.const 0))
        (block $adone
          (loop $aruns
            (br_if $adone (i32.ge_u (local.get $run) (local.get $runs)))
            (local.set $rp (i32.add (local.get $p) (i32.mul (local.get $run) (local.get $stride))))
            (local.set $rd (i32.add (local.get $dst) (i32.mul (local.get $run) (local.get $stride))))
            (local.set $c (i32.mul (local.get $g) (local.get $cpg)))
            (if (i32.eq (local.get $S) (i32.const 1))
              (then
                (if (local.get $pipe)
                  (then (call $applyAffineStats32 (local.get $rp) (local.get $rd) (local.get $L)
                    (i32.add (local.get $wp) (i32.shl (local.get $c) (i32.const 2)))
                    (i32.add (local.get $bp) (i32.shl (local.get $c) (i32.const 2)))
                    (local.get $mhi) (local.get $mlo) (local.get $r32)
                    (i32.add (local.get $rp) (local.get $next)) (local.get $kn) (i32.add (local.get $statp) (i32.const 16))))
                  (else (call $applyAffine32 (local.get $rp) (local.get $rd) (local.get $L)
                    (i32.add (local.get $wp) (i32.shl (local.get $c) (i32.const 2)))
                    (i32.add (local.get $bp) (i32.shl (local.get $c) (i32.const 2)))
                    (local.get $mhi) (local.get $mlo) (local.get $r32)))))
              (else
                (local.set $j (i32.const 0))
                (block $cdone
                  (loop $ch
                    (br_if $cdone (i32.ge_u (local.get $j) (local.get $cpg)))
                    (local.set $sc (f64.mul (f64.promote_f32 (f32.load (i32.add (local.get $wp) (i32.shl (local.get $c) (i32.const 2))))) (local.get $r)))
                    (local.set $sc32 (f32.demote_f64 (local.get $sc)))
                    (local.set $b32 (f32.demote_f64 (f64.sub (f64.promote_f32 (f32.load (i32.add (local.get $bp) (i32.shl (local.get $c) (i32.const 2)))))
                      (f64.mul (f64.promote_f32 (local.get $mlo)) (local.get $sc)))))
                    (local.set $o (i32.shl (i32.mul (local.get $j) (local.get $S)) (i32.const 2)))
                    (if (local.get $pipe)
                      (then (call $applyStats32 (i32.add (local.get $rp) (local.get $o)) (i32.add (local.get $rd) (local.get $o))
                        (local.get $S) (local.get $mhi) (local.get $sc32) (local.get $b32)
                        (i32.add (i32.add (local.get $rp) (local.get $next)) (local.get $o)) (local.get $kn)
                        (i32.add (local.get $statp) (i32.const 16))))
                      (else (call $apply32 (i32.add (local.get $rp) (local.get $o)) (i32.add (local.get $rd) (local.get $o))
                        (local.get $S) (local.get $mhi) (local.get $sc32) (local.get $b32))))
                    (local.set $c (i32.add (local.get $c) (i32.const 1)))
                    (local.set $j (i32.add (local.get $j) (i32.const 1)))
                    (br $ch)))))
            (local.set $run (i32.add (local.get $run) (i32.const 1)))
            (br $aruns)))
        (if (i32.and (i32.gt_u (local.get $nsets) (i32.const 1)) (i32.eqz (local.get $pipe)))
          (then (call $setSums (i32.add (local.get $p) (local.get $next)) (local.get $L) (local.get $runs) (local.get $stride)
            (local.get $kn) (i32.add (local.get $statp) (i32.const 16)) (i32.const 1))))
        (local.set $p (i32.add (local.get $p) (i32.shl (local.get $L) (i32.const 2))))
        (local.set $dst (i32.add (local.get $dst) (i32.shl (local.get $L) (i32.const 2))))
        (local.set $statp (i32.add (local.get $statp) (i32.const 16)))
        (local.set $g (i32.add (local.get $g) (i32.const 1)))
        (if (i32.eq (local.get $g) (local.get $groups)) (then (local.set $g (i32.const 0))))
        (local.set $nsets (i32.sub (local.get $nsets) (i32.const 1)))
        (br $set))))
)
