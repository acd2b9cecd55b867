package dev.cifarpipeline.events.kafka;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * Headers on every checkpoint and event record a run writes: which trainer wrote it, under which claim (one id per
 * time a trainer takes the run on). They let an operator, or an audit, see who owned a run when: a run with one
 * owner at a time shows each claim's records as one unbroken stretch of its topic.
 */
public final class ClaimHeaders {
    public static final String TRAINER = "pipeline-trainer";
    public static final String CLAIM = "pipeline-claim";

    private ClaimHeaders() {}

    public static void add(Headers headers, String trainer, String claim) {
        headers.add(TRAINER, trainer.getBytes(StandardCharsets.UTF_8));
        headers.add(CLAIM, claim.getBytes(StandardCharsets.UTF_8));
    }

    /** The claim a record was written under; empty for a record without one. */
    public static Optional<String> claim(Headers headers) {
        Header h = headers.lastHeader(CLAIM);
        return h == null ? Optional.empty() : Optional.of(new String(h.value(), StandardCharsets.UTF_8));
    }
}
