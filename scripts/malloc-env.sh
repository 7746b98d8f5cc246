# Sourced by the job scripts (demo, pretraining, gates). glibc's malloc serves libtorch's CPU tensors; by default it
# hands the larger blocks back to the kernel (mmap for big blocks, trimming of the heap's top) and takes them again
# on the next step, so a training step pays tens of thousands of page faults a second (measured: 34 000/s and 15 % of
# the CPU time in the kernel during the toy base's pretraining). A fixed mmap threshold of 32 MiB (glibc's largest)
# and a 1 GiB trim threshold keep those blocks in the heap (docs/benchmarks.md, "Page faults in a fresh JVM").
# Values already set by the caller win.
export MALLOC_MMAP_THRESHOLD_="${MALLOC_MMAP_THRESHOLD_:-33554432}"
export MALLOC_TRIM_THRESHOLD_="${MALLOC_TRIM_THRESHOLD_:-1073741824}"
