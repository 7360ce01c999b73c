(module
  (memory (export "memory") 1)
  ;; y[r] = sum_c W[r*cols + c] * x[c] for r < rows. Four rows at a time (rows a multiple of 4): each x
  ;; vector is loaded once for four weight rows, and four independent accumulators keep the SIMD units busy.
  ;; cols is a multiple of 4; pointers are byte offsets.
  (func (export "matvec") (param $w i32) (param $x i32) (param $y i32) (param $rows i32) (param $cols i32)
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
        (br $rows4)))))
