// The kernel suite again with the work split over two executors (main thread + one worker).
process.env.NN_TEST_THREADS = '2';
await import('./kernels.test.js');
