package dev.cifarpipeline.events;

import java.net.InetAddress;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.RecordMetadata;

/** Small things every service does with its Kafka clients, written once. */
public final class KafkaClients {
    private KafkaClients() {
    }

    /** Waits for a send's acknowledgement; a failure names {@code what} could not be published, and why. */
    public static RecordMetadata await(Future<RecordMetadata> ack, String what) {
        try {
            return ack.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while publishing the " + what, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot publish the " + what + ": " + e.getCause().getMessage(), e.getCause());
        }
    }

    /** A replica's default name: host name and process id (the pod name on Kubernetes, unique per process on one host). */
    public static String defaultInstanceId(String fallbackHost) {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            host = fallbackHost;
        }
        return host + "-" + ProcessHandle.current().pid();
    }
}
