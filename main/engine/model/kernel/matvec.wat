(module
  (memory (export "memory") 1)
  ;; y[r] = sum_c W[r*cols + c] * x[c] for r < rows. Four rows at a time (rows a multiple of 4): each x
  ;; vector is loaded once for four weight rows, and four independent accumulators keep the SIMD units busy.
  ;; cols is a multiple of 4; pointers are byte offsets.
  (func $matvec (export "matvec") (param $w i32) (param $x i32) (param $y i32) (param $rows i32) (param $cols i32)
    (local $r i32) (local $rowBytes i32) (local $w1 i32) (local $w2 i32) (local $w3 i32)
    (local $xp i32) (local $xend i32) (local $xv v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local.set $rowBytes (i32.shl (local.get $cols) (i32.const 2)))
    (local.set $xend (i32.add (local.get $x) (local.get $rowBytes)))
    (local.set $r (i32.const 0))
    (block $done
      (loop $rows4
        (br_if $done (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $w1 (i32.add (local.get $w) (local.get $rowBytes)))
        (local.set $w2 (i32.add (local.get $w1) (local.get $rowBytes)))
        (local.set $w3 (i32.add (local.get $w2) (local.get $rowBytes)))
        (local.set $a0 (f32x4.splat (f32.const 0)))
        (local.set $a1 (f32x4.splat (f32.const 0)))
        (local.set $a2 (f32x4.splat (f32.const 0)))
        (local.set $a3 (f32x4.splat (f32.const 0)))
        (local.set $xp (local.get $x))
        (block $rowdone
          (loop $col
            (br_if $rowdone (i32.ge_u (local.get $xp) (local.get $xend)))
            (local.set $xv (v128.load (local.get $xp)))
            (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (v128.load (local.get $w)) (local.get $xv))))
            (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (v128.load (local.get $w1)) (local.get $xv))))
            (local.set $a2 (f32x4.add (local.get $a2) (f32x4.mul (v128.load (local.get $w2)) (local.get $xv))))
            (local.set $a3 (f32x4.add (local.get $a3) (f32x4.mul (v128.load (local.get $w3)) (local.get $xv))))
            (local.set $w (i32.add (local.get $w) (i32.const 16)))
            (local.set $w1 (i32.add (local.get $w1) (i32.const 16)))
            (local.set $w2 (i32.add (local.get $w2) (i32.const 16)))
            (local.set $w3 (i32.add (local.get $w3) (i32.const 16)))
            (local.set $xp (i32.add (local.get $xp) (i32.const 16)))
            (br $col)))
        (f32.store offset=0 (local.get $y)
          (f32.add
            (f32.add (f32x4.extract_lane 0 (local.get $a0)) (f32x4.extract_lane 1 (local.get $a0)))
            (f32.add (f32x4.extract_lane 2 (local.get $a0)) (f32x4.extract_lane 3 (local.get $a0)))))
        (f32.store offset=4 (local.get $y)
          (f32.add
            (f32.add (f32x4.extract_lane 0 (local.get $a1)) (f32x4.extract_lane 1 (local.get $a1)))
            (f32.add (f32x4.extract_lane 2 (local.get $a1)) (f32x4.extract_lane 3 (local.get $a1)))))
        (f32.store offset=8 (local.get $y)
          (f32.add
            (f32.add (f32x4.extract_lane 0 (local.get $a2)) (f32x4.extract_lane 1 (local.get $a2)))
            (f32.add (f32x4.extract_lane 2 (local.get $a2)) (f32x4.extract_lane 3 (local.get $a2)))))
        (f32.store offset=12 (local.get $y)
          (f32.add
            (f32.add (f32x4.extract_lane 0 (local.get $a3)) (f32x4.extract_lane 1 (local.get $a3)))
            (f32.add (f32x4.extract_lane 2 (local.get $a3)) (f32x4.extract_lane 3 (local.get $a3)))))
        ;; $w has advanced one row; the three rows after it were read through $w1..$w3.
        (local.set $w (local.get $w3))
        (local.set $y (i32.add (local.get $y) (i32.const 16)))
        (local.set $r (i32.add (local.get $r) (i32.const 4)))
        (br $rows4))))

  ;; e^x for four lanes, as Cephes's expf: x = n ln2 + r with |r| <= ln2/2, e^r by a degree-7 polynomial
  ;; (relative error about 1e-7), 2^n written into the exponent bits. x is clamped to [-87, 88] so that
  ;; 2^n stays a normal float; sigmoid and tanh below saturate long before either end.
  (func $exp4 (param $x v128) (result v128)
    (local $n v128) (local $r v128) (local $p v128)
    (local.set $x (f32x4.max (f32x4.min (local.get $x) (f32x4.splat (f32.const 88))) (f32x4.splat (f32.const -87))))
    (local.set $n (f32x4.nearest (f32x4.mul (local.get $x) (f32x4.splat (f32.const 1.44269504088896341)))))
    ;; r = x - n ln2, with ln2 split in two so that n * 0.693359375 is exact.
    (local.set $r (f32x4.sub (local.get $x) (f32x4.mul (local.get $n) (f32x4.splat (f32.const 0.693359375)))))
    (local.set $r (f32x4.sub (local.get $r) (f32x4.mul (local.get $n) (f32x4.splat (f32.const -2.12194440e-4)))))
    (local.set $p (f32x4.splat (f32.const 1.9875691500e-4)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (f32x4.splat (f32.const 1.3981999507e-3))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (f32x4.splat (f32.const 8.3334519073e-3))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (f32x4.splat (f32.const 4.1665795894e-2))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (f32x4.splat (f32.const 1.6666665459e-1))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (f32x4.splat (f32.const 5.0000001201e-1))))
    (local.set $p
      (f32x4.add
        (f32x4.add (f32x4.mul (f32x4.mul (local.get $p) (local.get $r)) (local.get $r)) (local.get $r))
        (f32x4.splat (f32.const 1))))
    (f32x4.mul
      (local.get $p)
      (i32x4.shl (i32x4.add (i32x4.trunc_sat_f32x4_s (local.get $n)) (i32x4.splat (i32.const 127))) (i32.const 23))))

  ;; 1 / (1 + e^-x)
  (func $sigmoid4 (param $x v128) (result v128)
    (f32x4.div
      (f32x4.splat (f32.const 1))
      (f32x4.add (f32x4.splat (f32.const 1)) (call $exp4 (f32x4.neg (local.get $x))))))

  ;; tanh x = 1 - 2 / (1 + e^2x): -1 and 1 at the clamps, absolute error about 1e-7 near 0.
  (func $tanh4 (param $x v128) (result v128)
    (f32x4.sub
      (f32x4.splat (f32.const 1))
      (f32x4.div
        (f32x4.splat (f32.const 2))
        (f32x4.add (f32x4.splat (f32.const 1)) (call $exp4 (f32x4.add (local.get $x) (local.get $x)))))))

  ;; One LSTM direction over `steps` time steps (Keras gate order i, f, c, o; sigmoid gates, tanh cell).
  ;; w: the recurrent kernel transposed, [4H, H] row-major. gates: the input part of the gate
  ;; pre-activations, [steps, 4H]. out: the hidden states, [steps, H]. h and c: the state, [H] each, read
  ;; and updated, so a long sequence can run in blocks. z: scratch [4H]. reverse: run t = steps-1 … 0.
  ;; H is a multiple of 4; pointers are byte offsets.
  (func (export "lstm") (param $w i32) (param $gates i32) (param $out i32) (param $h i32) (param $c i32)
    (param $z i32) (param $steps i32) (param $units i32) (param $reverse i32)
    (local $s i32) (local $t i32) (local $hb i32) (local $g i32) (local $o i32) (local $k i32)
    (local $i v128) (local $f v128) (local $cand v128) (local $og v128) (local $cell v128) (local $hv v128)
    (local.set $hb (i32.shl (local.get $units) (i32.const 2)))
    (local.set $s (i32.const 0))
    (block $done
      (loop $step
        (br_if $done (i32.ge_u (local.get $s) (local.get $steps)))
        (local.set $t
          (select
            (i32.sub (i32.sub (local.get $steps) (i32.const 1)) (local.get $s))
            (local.get $s)
            (local.get $reverse)))
        ;; z = W h (the previous state)
        (call $matvec (local.get $w) (local.get $h) (local.get $z) (i32.shl (local.get $units) (i32.const 2))
          (local.get $units))
        (local.set $g (i32.add (local.get $gates) (i32.mul (local.get $t) (i32.shl (local.get $hb) (i32.const 2)))))
        (local.set $o (i32.add (local.get $out) (i32.mul (local.get $t) (local.get $hb))))
        (local.set $k (i32.const 0))
        (block $unitsdone
          (loop $unit
            (br_if $unitsdone (i32.ge_u (local.get $k) (local.get $hb)))
            (local.set $i (call $sigmoid4 (f32x4.add
              (v128.load (i32.add (local.get $z) (local.get $k)))
              (v128.load (i32.add (local.get $g) (local.get $k))))))
            (local.set $f (call $sigmoid4 (f32x4.add
              (v128.load (i32.add (i32.add (local.get $z) (local.get $hb)) (local.get $k)))
              (v128.load (i32.add (i32.add (local.get $g) (local.get $hb)) (local.get $k))))))
            (local.set $cand (call $tanh4 (f32x4.add
              (v128.load (i32.add (i32.add (local.get $z) (i32.shl (local.get $hb) (i32.const 1))) (local.get $k)))
              (v128.load (i32.add (i32.add (local.get $g) (i32.shl (local.get $hb) (i32.const 1))) (local.get $k))))))
            (local.set $og (call $sigmoid4 (f32x4.add
              (v128.load (i32.add (i32.add (local.get $z) (i32.mul (local.get $hb) (i32.const 3))) (local.get $k)))
              (v128.load (i32.add (i32.add (local.get $g) (i32.mul (local.get $hb) (i32.const 3))) (local.get $k))))))
            (local.set $cell (f32x4.add
              (f32x4.mul (local.get $f) (v128.load (i32.add (local.get $c) (local.get $k))))
              (f32x4.mul (local.get $i) (local.get $cand))))
            (v128.store (i32.add (local.get $c) (local.get $k)) (local.get $cell))
            (local.set $hv (f32x4.mul (local.get $og) (call $tanh4 (local.get $cell))))
            ;; The matrix product for this step is done, so h can take the new state at once.
            (v128.store (i32.add (local.get $h) (local.get $k)) (local.get $hv))
            (v128.store (i32.add (local.get $o) (local.get $k)) (local.get $hv))
            (local.set $k (i32.add (local.get $k) (i32.const 16)))
            (br $unit)))
        (local.set $s (i32.add (local.get $s) (i32.const 1)))
        (br $step))))
)
