package dev.cifarpipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class NativeAllocatorTest {
    @Test
    void theLaunchersConfigureJemallocAsTheImagesDo() throws Exception {
        String dockerfile = Files.readString(
                Path.of(System.getProperty("project.root", "..")).resolve("deploy/docker/service.Dockerfile"));
        Matcher conf = Pattern.compile("MALLOC_CONF=(\\S+)").matcher(dockerfile);
        assertTrue(conf.find(), "the image sets MALLOC_CONF");
        assertEquals(conf.group(1), NativeAllocator.MALLOC_CONF);
        assertTrue(dockerfile.contains("LD_PRELOAD=/usr/local/lib/libjemalloc.so.2"), "the image preloads jemalloc");
        assertTrue(NativeAllocator.LIBRARIES.contains(Path.of("/usr/local/lib/libjemalloc.so.2")));
    }

    @Test
    void jemallocIsPreloadedWhereTheMachineHasIt() {
        if (NativeAllocator.library().isPresent() && System.getenv("PIPELINE_ALLOCATOR") == null) {
            assertEquals(
                    NativeAllocator.library().get().toString(),
                    NativeAllocator.environment().get("LD_PRELOAD"));
            assertEquals(
                    NativeAllocator.MALLOC_CONF, NativeAllocator.environment().get("MALLOC_CONF"));
        } else {
            assertEquals("glibc malloc", NativeAllocator.describe());
        }
    }
}
