;; AdamW over float32 arrays in this module's memory, four lanes at a time (WebAssembly SIMD, f32x4).
;; The caller (adamw.ts) copies a chunk of params, grads, exp_avg and exp_avg_sq in, calls `adamw`, and copies the
;; params and both moments back out. The arithmetic follows torch.optim.AdamW (PyTorch 1.13, single-tensor path)
;; op for op, each rounded to float32, so the JS fallback (adamw.ts) gives the same bits:
;;   g ← g·gradScale                                   (clip_grad_norm_'s grads.mul_(clip_coef))
;;   p ← p·(1 − lr·wd)                                 param.mul_(1 - lr * weight_decay)
;;   m ← m·β1 + (1−β1)·g                               exp_avg.mul_(beta1).add_(grad, alpha=1 - beta1)
;;   v ← v·β2 + ((1−β2)·g)·g                           exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
;;   p ← p + ((−lr/bc1)·m) / (√v / √bc2 + eps)         param.addcdiv_(exp_avg, denom, value=-step_size)
(module
  (memory (export "memory") 1)

  (func (export "adamw")
    (param $n i32)          ;; elements, a multiple of 4
    (param $p i32) (param $g i32) (param $m i32) (param $v i32)   ;; byte offsets, 16-byte aligned
    (param $gradScale f32) (param $decay f32)
    (param $beta1 f32) (param $oneMinusBeta1 f32)
    (param $beta2 f32) (param $oneMinusBeta2 f32)
    (param $negStepSize f32) (param $biasCorrection2Sqrt f32) (param $eps f32)
    (local $offset i32) (local $end i32)
    (local $scale v128) (local $dec v128) (local $b1 v128) (local $c1 v128) (local $b2 v128) (local $c2 v128)
    (local $step v128) (local $bc2 v128) (local $epsilon v128)
    (local $grad v128) (local $avg v128) (local $avgSq v128) (local $param v128)

    (local.set $scale (f32x4.splat (local.get $gradScale)))
    (local.set $dec (f32x4.splat (local.get $decay)))
    (local.set $b1 (f32x4.splat (local.get $beta1)))
    (local.set $c1 (f32x4.splat (local.get $oneMinusBeta1)))
    (local.set $b2 (f32x4.splat (local.get $beta2)))
    (local.set $c2 (f32x4.splat (local.get $oneMinusBeta2)))
    (local.set $step (f32x4.splat (local.get $negStepSize)))
    (local.set $bc2 (f32x4.splat (local.get $biasCorrection2Sqrt)))
    (local.set $epsilon (f32x4.splat (local.get $eps)))

    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $done
      (loop $lanes
        (br_if $done (i32.ge_u (local.get $offset) (local.get $end)))

        (local.set $grad (f32x4.mul (v128.load (i32.add (local.get $g) (local.get $offset))) (local.get $scale)))
        (local.set $param (f32x4.mul (v128.load (i32.add (local.get $p) (local.get $offset))) (local.get $dec)))
        (local.set $avg
          (f32x4.add
            (f32x4.mul (v128.load (i32.add (local.get $m) (local.get $offset))) (local.get $b1))
            (f32x4.mul (local.get $c1) (local.get $grad))))
        (local.set $avgSq
          (f32x4.add
            (f32x4.mul (v128.load (i32.add (local.get $v) (local.get $offset))) (local.get $b2))
            (f32x4.mul (f32x4.mul (local.get $c2) (local.get $grad)) (local.get $grad))))
        (local.set $param
          (f32x4.add
            (local.get $param)
            (f32x4.div
              (f32x4.mul (local.get $step) (local.get $avg))
              (f32x4.add (f32x4.div (f32x4.sqrt (local.get $avgSq)) (local.get $bc2)) (local.get $epsilon)))))

        (v128.store (i32.add (local.get $p) (local.get $offset)) (local.get $param))
        (v128.store (i32.add (local.get $m) (local.get $offset)) (local.get $avg))
        (v128.store (i32.add (local.get $v) (local.get $offset)) (local.get $avgSq))
        (local.set $offset (i32.add (local.get $offset) (i32.const 16)))
        (br $lanes))))
)
