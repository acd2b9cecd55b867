package dev.cifarpipeline.trainer.run;

/** Why a run stops before its last epoch, and what it writes first. Later constants outrank earlier ones. */
public enum StopMode {
    /** Its partition moves to another trainer, or this one shuts down: a checkpoint where it is, then RELEASED. */
    RELEASE,
    /** Stopped on request: a checkpoint where it is, then STOPPED; no trainer takes it on again. */
    END,
    /** It stopped itself (it diverged) and has published STOPPED: nothing more to write. */
    HALTED,
    /** Its claim is lost (out of the group too long): another trainer owns the run now, so nothing is written. */
    DROP;

    /** Whether the run publishes a checkpoint of where it stopped. */
    public boolean checkpoints() {
        return this == RELEASE || this == END;
    }
}
