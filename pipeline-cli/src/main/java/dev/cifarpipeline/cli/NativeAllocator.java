package dev.cifarpipeline.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The native allocator the services run with when this command starts them: jemalloc with its page decay off, as the
 * images preload it ({@code deploy/docker/service.Dockerfile}; {@code NativeAllocatorTest} keeps the two in step).
 * libtorch allocates the same large tensors every step; glibc's malloc and jemalloc's default decay hand the pages
 * back and fault them in again, which made the trainer's step at batch 128 take 1.0 s (glibc) or 2.3 s (jemalloc,
 * defaults) against 0.43 s with the decay off (BENCHMARKS.md, "Allocator"). Used where Debian's {@code libjemalloc2}
 * (or another jemalloc) is installed; {@code PIPELINE_ALLOCATOR=glibc} keeps glibc's.
 */
public final class NativeAllocator {
    /** jemalloc's settings: freed pages stay with the process for the next step. */
    public static final String MALLOC_CONF = "dirty_decay_ms:-1,muzzy_decay_ms:-1";

    /** Where Debian (and the images) put jemalloc. */
    static final List<Path> LIBRARIES = List.of(
            Path.of("/usr/lib/x86_64-linux-gnu/libjemalloc.so.2"),
            Path.of("/usr/lib/aarch64-linux-gnu/libjemalloc.so.2"),
            Path.of("/usr/local/lib/libjemalloc.so.2"),
            Path.of("/usr/lib64/libjemalloc.so.2"));

    private NativeAllocator() {}

    /** The environment that preloads jemalloc for a service's JVM; empty where there is none or glibc is asked for. */
    public static Map<String, String> environment() {
        if ("glibc".equalsIgnoreCase(System.getenv().getOrDefault("PIPELINE_ALLOCATOR", ""))) {
            return Map.of();
        }
        return library()
                .map(lib -> Map.of("LD_PRELOAD", lib.toString(), "MALLOC_CONF", MALLOC_CONF))
                .orElse(Map.of());
    }

    /** What {@link #environment} gives, in words, for the command's output. */
    public static String describe() {
        Map<String, String> env = environment();
        return env.isEmpty() ? "glibc malloc" : "jemalloc (" + env.get("LD_PRELOAD") + ", " + MALLOC_CONF + ")";
    }

    static Optional<Path> library() {
        return LIBRARIES.stream().filter(Files::isReadable).findFirst();
    }
}
