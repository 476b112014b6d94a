// Entry of build/nn.wasm: kernels of the phaseflow neural-network engine (src/nn/). The sources live in the shared
// files assembly/_nn_*.ts; this file only re-exports them. The host calls these through src/nn/kernels/wasm.ts.
export { sgemm, sgemm_scratch_floats } from './_nn_gemm';
export { im2col, col2im, conv2d_fwd, conv2d_bwd_data, conv2d_bwd_weight, conv_scratch_floats } from './_nn_conv';
export {
  relu_fwd, relu_bwd, silu_fwd, silu_bwd, fill, axpy, add, scale, sumsq, sqerr, add_nc, sum_nc,
  avgpool2_fwd, avgpool2_bwd, upsample2_fwd, upsample2_bwd, softmax_rows, softmax_rows_bwd, copy_rows,
} from './_nn_elem';
export { groupnorm_fwd, groupnorm_bwd, groupnorm_silu_fwd, groupnorm_silu_bwd } from './_nn_norm';
export { attn_fwd, attn_bwd, attn_scratch_floats } from './_nn_attn';
export { adam_step, ema_update } from './_nn_optim';

/** First byte the host may allocate (the pool's heap starts here; the kernels have no static data of their own). */
export function heapBase(): usize {
  return __heap_base;
}
export { wino_filter, wino_fwd, wino_bwd_weight, wino_scratch_floats } from './_nn_wino';
export { wino4_filter, wino4_filter_floats, wino4_filter_tmp_floats, wino4_fwd, wino4_bwd_weight, wino4_scratch_floats } from './_nn_wino4';
