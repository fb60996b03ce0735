//! Memory given back after large allocations (glibc only).
//!
//! Each password hash allocates a 19 MiB block (argon2id's memory cost). glibc serves a block
//! that large with `mmap` at first, but after the first one is freed it raises its mmap
//! threshold to that size, so later blocks come from per-thread arenas that keep the memory
//! after `free`. With hashes on several blocking threads the server then held 1.7 GB after 200
//! sign-ups, and never gave it back (BENCHMARKS.md, figure 5). A fixed threshold turns that
//! adjustment off: blocks of 1 MiB and more are always mapped, and unmapped when freed.

/// Allocations at least this large are mapped on their own and returned to the system on free.
pub const MMAP_THRESHOLD: usize = 1 << 20;

/// Call first thing in `main`, before other threads start allocating.
pub fn return_large_blocks() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets an allocator parameter; it is called before any other thread
    // exists, and the value is within glibc's accepted range (at most 32 MiB on 64-bit).
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD as libc::c_int);
    }
}
