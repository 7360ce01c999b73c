(module
  (memory (export "memory") 1)
  ;; y[r] = sum_c W[r*cols + c] * x[c], for r < rows; cols is a multiple of 4, pointers are byte offsets.
  (func (export "matvec") (param $w i32) (param $x i32) (param $y i32) (param $rows i32) (param $cols i32)
    (local $r i32) (local $c i32) (local $acc v128) (local $xrow i32) (local $end i32)
    (local.set $r (i32.const 0))
    (block $done
      (loop $row
        (br_if $done (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $acc (f32x4.splat (f32.const 0)))
        (local.set $xrow (local.get $x))
        (local.set $end (i32.add (local.get $w) (i32.shl (local.get $cols) (i32.const 2))))
        (block $rowdone
          (loop $col
            (br_if $rowdone (i32.ge_u (local.get $w) (local.get $end)))
            (local.set $acc (f32x4.add (local.get $acc)
              (f32x4.mul (v128.load (local.get $w)) (v128.load (local.get $xrow)))))
            (local.set $w (i32.add (local.get $w) (i32.const 16)))
            (local.set $xrow (i32.add (local.get $xrow) (i32.const 16)))
            (br $col)))
        (f32.store (local.get $y)
          (f32.add
            (f32.add (f32x4.extract_lane 0 (local.get $acc)) (f32x4.extract_lane 1 (local.get $acc)))
            (f32.add (f32x4.extract_lane 2 (local.get $acc)) (f32x4.extract_lane 3 (local.get $acc)))))
        (local.set $y (i32.add (local.get $y) (i32.const 4)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $row)))))
