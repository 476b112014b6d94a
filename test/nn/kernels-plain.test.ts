// The kernel suite on the plain-SIMD build (separate multiply and add), the fallback where the runtime has no relaxed
// SIMD, with the work split over two executors.
process.env.NN_TEST_SIMD = 'plain';
process.env.NN_TEST_THREADS = '2';
await import('./kernels.test.js');
