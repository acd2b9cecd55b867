package dev.cifarpipeline.evaluator;

import dev.cifarpipeline.evaluator.scoring.TestSetCache;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** {@link TestSetCache} is plain Java; CDI gets the one instance the listeners share from here. */
public class TestSetCacheProducer {
    @Produces
    @Singleton
    TestSetCache testSetCache() {
        return new TestSetCache();
    }
}
